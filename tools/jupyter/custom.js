// Loaded by the Jupyter Notebook server that tools/notebook.sh starts (copied to $JUPYTER_CONFIG_DIR/custom/).
//
// Why: Deno's Jupyter kernel (2.9.x) may publish a cell's output a moment after it reports the cell done,
// and it labels every output with the most recent execute request it has received. When several cells are
// queued at once (Cell > Run All, or Shift-Enter pressed quickly), a late output is labelled with the next
// cell's request, and the notebook shows it under the wrong cell. (See ../shared/ENVIRONMENT.md; the
// headless runner tools/nbrun.py avoids it the same way.)
//
// What: for the Deno kernel, code cells are sent to the kernel one at a time: the next request leaves only
// when the previous cell has finished and the kernel has been given GRACE_MS more to flush late outputs.
// Queued cells show "In [*]" as usual. An error stops the queue (as "stop on error" does), and so does an
// interrupt, a restart or a dead kernel.
define(["base/js/events", "notebook/js/codecell"], function (events, codecell) {
  "use strict";
  const GRACE_MS = 300;
  const CodeCell = codecell.CodeCell;
  const original = CodeCell.prototype.execute;
  const queue = [];
  let running = false;

  function reset(cell) {
    cell.set_input_prompt(null);
    cell.element.removeClass("running");
  }

  function clearQueue() {
    queue.splice(0).forEach(function (job) {
      reset(job.cell);
    });
    running = false;
  }

  function hasError(cell) {
    return cell.output_area.outputs.some(function (o) {
      return o.output_type === "error";
    });
  }

  function next() {
    if (running || queue.length === 0) return;
    const job = queue.shift();
    running = true;
    original.call(job.cell, job.stopOnError);
    const msgId = job.cell.last_msg_id;
    if (!msgId) { // an empty cell: nothing was sent
      running = false;
      next();
      return;
    }
    function finished(_evt, data) {
      if (data.msg_id !== msgId) return;
      events.off("finished_iopub.Kernel", finished);
      setTimeout(function () {
        running = false;
        if (job.stopOnError !== false && hasError(job.cell)) clearQueue();
        next();
      }, GRACE_MS);
    }
    events.on("finished_iopub.Kernel", finished);
  }

  CodeCell.prototype.execute = function (stopOnError) {
    if (!this.kernel || this.kernel.name !== "deno") return original.call(this, stopOnError);
    this.set_input_prompt("*");
    this.element.addClass("running");
    queue.push({ cell: this, stopOnError: stopOnError });
    next();
  };

  ["kernel_interrupting.Kernel", "kernel_restarting.Kernel", "kernel_dead.Kernel", "kernel_killed.Session"]
    .forEach(function (name) {
      events.on(name, clearQueue);
    });
  console.log("derm7pt: Deno cells run one at a time (tools/jupyter/custom.js)");
  return {
    queued: function () {
      return queue.length + (running ? 1 : 0);
    },
  };
});

/**
 * The "error: XDG_RUNTIME_DIR is invalid or not set in the environment." lines (issue 13) come from
 * Mesa's Vulkan device-select layer asking for a Wayland compositor during the WebGPU probe; the
 * probe switches the layer off (NODEVICE_SELECT=1) when there is no runtime folder, unless the user
 * chose a device. lib/model/backend.ts, `needsDeviceSelectSwitch`.
 */
import assert from "node:assert/strict";
import { needsDeviceSelectSwitch } from "../../lib/model/backend.ts";
import { PROJECT_ROOT, skipNote } from "../_helpers.ts";

Deno.test("device-select switch: only without a usable XDG_RUNTIME_DIR and without the user's own choice", () => {
  assert.equal(needsDeviceSelectSwitch({}), true);
  assert.equal(needsDeviceSelectSwitch({ XDG_RUNTIME_DIR: "" }), true);
  assert.equal(needsDeviceSelectSwitch({ XDG_RUNTIME_DIR: "relative/dir" }), true);
  assert.equal(needsDeviceSelectSwitch({ XDG_RUNTIME_DIR: "/run/user/0" }), false);
  assert.equal(needsDeviceSelectSwitch({ WAYLAND_DISPLAY: "/run/wayland-0" }), false);
  assert.equal(needsDeviceSelectSwitch({ NODEVICE_SELECT: "0" }), false);
  assert.equal(needsDeviceSelectSwitch({ MESA_VK_DEVICE_SELECT: "list" }), false);
});

Deno.test({
  name: "device-select switch: the WebGPU probe sets NODEVICE_SELECT and prints no XDG_RUNTIME_DIR line",
  sanitizeResources: false,
  async fn() {
    const code = `import { probeWebGpu } from "${PROJECT_ROOT}/lib/model/backend.ts";
const p = await probeWebGpu();
console.log(JSON.stringify({ set: Deno.env.get("NODEVICE_SELECT") ?? null, adapter: p.description }));`;
    const run = async (env: Record<string, string>) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", code],
        cwd: PROJECT_ROOT,
        clearEnv: true,
        env: {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          HOME: Deno.env.get("HOME") ?? "/tmp",
          NO_COLOR: "1",
          ...env,
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      return { ...JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!), stderr };
    };
    const plain = await run({});
    assert.equal(plain.set, "1");
    assert.doesNotMatch(plain.stderr, /XDG_RUNTIME_DIR/);
    const chosen = await run({ MESA_VK_DEVICE_SELECT: "list" });
    assert.equal(chosen.set, null);
    const layer = ["/usr/share/vulkan/implicit_layer.d", "/etc/vulkan/implicit_layer.d"].some((d) => {
      try {
        return [...Deno.readDirSync(d)].some((e) => /device_select/i.test(e.name));
      } catch {
        return false;
      }
    });
    if (!layer) {
      skipNote("Mesa's Vulkan device-select layer is not installed: the probe's stderr is checked without it");
    }
  },
});

// Spawns the emulator binary and reads its one JSON line of endpoints.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export async function startEmulator() {
  const bin = process.env.CREATORSYNC_EMULATOR_BIN
  if (!bin) throw new Error('set CREATORSYNC_EMULATOR_BIN to the creatorsync-emulator binary')
  const child = spawn(bin, ['--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('error', reject)
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)))
  })
  const info = JSON.parse(line)
  return { info, stop: () => child.kill('SIGTERM') }
}

export const SECRET = 'a-state-secret-of-at-least-32-bytes!!'

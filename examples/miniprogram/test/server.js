// Starts the real example server (demo mode, in memory) on a free port:
// the binary named by HAZARDLOOP_SERVER_BIN (the Go test builds it), else
// one built here with go build.
const { spawn, execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const repoRoot = path.resolve(__dirname, '..', '..', '..')

function serverBinary() {
  if (process.env.HAZARDLOOP_SERVER_BIN) return process.env.HAZARDLOOP_SERVER_BIN
  const out = path.join(os.tmpdir(), `hazardloop-server-mp-${process.pid}`)
  if (!fs.existsSync(out)) {
    execFileSync('go', ['build', '-o', out, './examples/server/cmd/hazardloop-server'], { cwd: repoRoot, stdio: 'inherit' })
  }
  return out
}

// startServer answers {baseURL, stop()} once the server is ready.
function startServer(extraArgs = []) {
  const bin = serverBinary()
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-addr', '127.0.0.1:0', '-demo=true', ...extraArgs], {
      env: Object.assign({}, process.env, { HAZARDLOOP_TOKEN_SECRET: 'miniprogram-test-secret-0123456789abcdef', DATABASE_URL: '' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error('the server did not start:\n' + log))
    }, 30000)
    const onData = (d) => {
      log += d.toString()
      const m = /ready" url=(http:\/\/[^\s/]+)\//.exec(log)
      if (m) {
        clearTimeout(timer)
        child.stdout.removeAllListeners('data')
        child.stderr.removeAllListeners('data')
        child.stdout.resume()
        child.stderr.resume()
        resolve({
          baseURL: m[1],
          stop: () => new Promise((r) => {
            child.once('exit', r)
            child.kill('SIGTERM')
          }),
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error('the server exited (' + code + '):\n' + log))
    })
  })
}

// staff drives the staff side of the loop over plain HTTP (not part of
// the mini-program): log in as a demo user and take actions.
async function staff(baseURL, user) {
  const res = await fetch(baseURL + '/api/v1/demo/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user }) })
  const { token } = await res.json()
  return {
    async upload(file) {
      const form = new FormData()
      form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file))
      const r = await fetch(baseURL + '/api/v1/uploads', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form })
      const v = await r.json()
      if (r.status !== 201) throw new Error('upload: ' + JSON.stringify(v))
      return v.key
    },
    async act(id, action, body) {
      const r = await fetch(`${baseURL}/api/v1/reports/${id}/actions/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify(body),
      })
      const v = await r.json()
      if (r.status !== 200) throw new Error(action + ': ' + JSON.stringify(v))
      return v
    },
  }
}

module.exports = { startServer, staff, repoRoot }

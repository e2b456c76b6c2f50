// The one module through which the mini-program talks to the server.
//
// Every call is listed in OPERATIONS with its method, path, query
// parameters and request body schema; test/openapi.test.js checks each one
// against the server's OpenAPI description (api/openapi.json, itself
// checked against the running server), so the client cannot drift from it.
//
// The bearer token is kept in storage with its expiry; a call answered 401
// logs in again (wx.login → POST /api/v1/auth/wechat) and is retried once.
const config = require('../config')

const TOKEN_KEY = 'hazardloop.token'

/**
 * @typedef {{method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, query?: string[], body?: string, headers?: string[], auth?: boolean}} Operation
 */

// OPERATIONS names every route this client calls, as the server declares it.
/** @type {Object<string, Operation>} */
const OPERATIONS = {
  wechatLogin: { method: 'POST', path: '/api/v1/auth/wechat', body: 'WeChatLoginRequest', auth: false },
  demoLogin: { method: 'POST', path: '/api/v1/demo/login', body: 'DemoLoginRequest', auth: false },
  bindPhone: { method: 'POST', path: '/api/v1/me/phone/wechat', body: 'WeChatPhoneRequest' },
  me: { method: 'GET', path: '/api/v1/me' },
  verify: { method: 'POST', path: '/api/v1/me/verify', body: 'VerifyRequest' },
  upload: { method: 'POST', path: '/api/v1/uploads', body: 'multipart' },
  submitReport: { method: 'POST', path: '/api/v1/reports', body: 'ReportRequest', headers: ['Idempotency-Key'] },
  report: { method: 'GET', path: '/api/v1/reports/{id}' },
  myReports: { method: 'GET', path: '/api/v1/me/reports', query: ['limit', 'cursor'] },
  plaza: { method: 'GET', path: '/api/v1/plaza', query: ['category', 'state', 'limit', 'cursor'], auth: false },
  plazaReport: { method: 'GET', path: '/api/v1/plaza/{ref}', auth: false },
  myRewards: { method: 'GET', path: '/api/v1/me/rewards', query: ['status', 'limit', 'cursor'] },
  claim: { method: 'POST', path: '/api/v1/me/rewards/{id}/claim' },
  pendingClaim: { method: 'GET', path: '/api/v1/me/rewards/{id}/claim' },
  stats: { method: 'GET', path: '/api/v1/stats', auth: false },
  articles: { method: 'GET', path: '/api/v1/articles', query: ['kind'], auth: false },
  article: { method: 'GET', path: '/api/v1/articles/{id}', auth: false },
  categories: { method: 'GET', path: '/api/v1/categories', auth: false },
  departments: { method: 'GET', path: '/api/v1/departments', auth: false },
  processes: { method: 'GET', path: '/api/v1/processes', auth: false },
}

// ApiError is a refusal of the server: {"error": {"code", "message",
// "field", "fields"}}, or a network failure (code "network").
class ApiError extends Error {
  constructor(status, body, errMsg) {
    const e = (body && body.error) || {}
    super(e.message || errMsg || 'request failed')
    this.name = 'ApiError'
    this.status = status
    this.code = e.code || (status ? 'http_' + status : 'network')
    this.field = e.field || ''
    this.fields = e.fields || (e.field ? [{ field: e.field, message: e.message }] : [])
  }

  // fieldErrors maps each field the server named to its message.
  fieldErrors() {
    const out = {}
    for (const f of this.fields) if (!out[f.field]) out[f.field] = f.message
    return out
  }
}

let settings = { baseURL: config.baseURL, demoUser: config.demoUser }
let loggingIn = null

// configure overrides config.js (tests, or a build for another server).
function configure(s) {
  settings = Object.assign({}, settings, s)
}

function buildURL(op, params, query) {
  let path = op.path.replace(/\{(\w+)\}/g, (_, k) => {
    if (params == null || params[k] == null || params[k] === '') throw new ApiError(0, null, 'missing ' + k)
    return encodeURIComponent(params[k])
  })
  const q = []
  for (const k of op.query || []) {
    if (query && query[k] != null && query[k] !== '') q.push(encodeURIComponent(k) + '=' + encodeURIComponent(query[k]))
  }
  if (q.length) path += '?' + q.join('&')
  return settings.baseURL + path
}

// token returns the stored token while it is valid, else ''.
function token() {
  const t = wx.getStorageSync(TOKEN_KEY)
  if (!t || !t.token || !(t.expires > Date.now())) return ''
  return t.token
}

function saveSession(answer) {
  // Keep a minute of margin so a token never expires mid-flow.
  const ttl = Math.max(0, (answer.expires_in || 0) - 60) * 1000
  wx.setStorageSync(TOKEN_KEY, { token: answer.token, expires: Date.now() + ttl })
  return answer
}

// logout forgets the token and anything personal the app cached.
function logout() {
  wx.removeStorageSync(TOKEN_KEY)
}

/**
 * @param {Operation} op
 * @param {{params?: Object<string, string>, query?: Object<string, any>, body?: any, header?: Object<string, string>}} [req]
 * @param {string} [bearer]
 */
function send(op, req = {}, bearer) {
  const { params, query, body, header } = req
  return new Promise((resolve, reject) => {
    const h = Object.assign({}, header)
    if (bearer) h.Authorization = 'Bearer ' + bearer
    if (body !== undefined) h['Content-Type'] = 'application/json'
    let url
    try {
      url = buildURL(op, params, query)
    } catch (e) {
      reject(e)
      return
    }
    wx.request({
      url,
      method: op.method,
      data: body,
      header: h,
      dataType: 'json',
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data)
        else reject(new ApiError(res.statusCode, res.data))
      },
      fail(err) {
        reject(new ApiError(0, null, err && err.errMsg))
      },
    })
  })
}

function wxCall(name, args) {
  return new Promise((resolve, reject) => {
    wx[name](Object.assign({}, args, { success: resolve, fail: reject }))
  })
}

// login gets a new token: wx.login's code for POST /api/v1/auth/wechat, or
// the demo user's token when one is configured. Concurrent callers share
// one login.
function login() {
  if (loggingIn) return loggingIn
  loggingIn = (async () => {
    try {
      if (settings.demoUser) {
        return saveSession(await send(OPERATIONS.demoLogin, { body: { user: settings.demoUser } }))
      }
      const { code } = await wxCall('login', { timeout: 10000 })
      return saveSession(await send(OPERATIONS.wechatLogin, { body: { code } }))
    } finally {
      loggingIn = null
    }
  })()
  return loggingIn
}

// call runs one operation; a signed operation logs in first when there is
// no valid token and once more when the server answers 401.
async function call(name, req) {
  const op = OPERATIONS[name]
  if (!op) throw new Error('unknown operation ' + name)
  if (op.auth === false) return send(op, req, token())
  let t = token()
  if (!t) t = (await login()).token
  try {
    return await send(op, req, t)
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    logout()
    return send(op, req, (await login()).token)
  }
}

// newIdempotencyKey returns a random key for one report draft: the report
// page keeps it across retries so that a weak network never files twice.
function newIdempotencyKey() {
  const hex = '0123456789abcdef'
  let s = 'mp-'
  for (let i = 0; i < 32; i++) s += hex[Math.floor(Math.random() * 16)]
  return s
}

// upload sends one photo (a temporary file path of wx.chooseMedia) and
// reports progress (0–100) to onProgress; it answers {key, url}.
async function upload(filePath, onProgress) {
  const op = OPERATIONS.upload
  const attempt = (t) => new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: buildURL(op),
      filePath,
      name: 'file',
      header: { Authorization: 'Bearer ' + t },
      success(res) {
        let data = res.data
        try {
          data = JSON.parse(res.data)
        } catch (e) {
          // not JSON: kept as text
        }
        if (res.statusCode === 201 || res.statusCode === 200) resolve(data)
        else reject(new ApiError(res.statusCode, data))
      },
      fail(err) {
        reject(new ApiError(0, null, err && err.errMsg))
      },
    })
    if (task && onProgress) task.onProgressUpdate((p) => onProgress(p.progress))
  })
  let t = token() || (await login()).token
  try {
    return await attempt(t)
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    logout()
    return attempt((await login()).token)
  }
}

// rewardState reads one reward back from the server, looking through the
// caller's rewards (newest first): what the server says, never assumed.
async function rewardState(id) {
  let cursor = ''
  for (let i = 0; i < 20; i++) {
    const page = await call('myRewards', { query: { limit: 100, cursor } })
    const found = (page.items || []).find((r) => r.id === id)
    if (found) return found
    if (!page.next) break
    cursor = page.next
  }
  throw new ApiError(404, { error: { code: 'not_found', message: 'no such reward' } })
}

module.exports = {
  OPERATIONS,
  baseURL: () => settings.baseURL,
  ApiError,
  configure,
  login,
  logout,
  token,
  newIdempotencyKey,
  upload,
  rewardState,
  loginWithWeChat: login,
  bindPhone: (code) => call('bindPhone', { body: { code } }).then((a) => (a && a.token ? saveSession(a) : a)),
  me: () => call('me'),
  verify: (name, residentID) => call('verify', { body: { name, resident_id: residentID } }),
  submitReport: (body, idempotencyKey) => call('submitReport', { body, header: { 'Idempotency-Key': idempotencyKey } }),
  report: (id) => call('report', { params: { id } }),
  myReports: (query) => call('myReports', { query }),
  plaza: (query) => call('plaza', { query }),
  plazaReport: (ref) => call('plazaReport', { params: { ref } }),
  myRewards: (query) => call('myRewards', { query }),
  claim: (id) => call('claim', { params: { id } }),
  pendingClaim: (id) => call('pendingClaim', { params: { id } }),
  stats: () => call('stats'),
  articles: (kind) => call('articles', { query: { kind } }),
  article: (id) => call('article', { params: { id } }),
  categories: () => call('categories'),
  departments: () => call('departments'),
  processes: () => call('processes'),
}

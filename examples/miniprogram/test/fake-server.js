// A small in-process stand-in for the server's answers, for page tests
// (the integration test uses the real server). It installs a wx harness
// whose request and uploadFile are answered here.
const { createWx } = require('./wx-harness')

function install(opts = {}) {
  const wx = createWx(opts)
  const routes = Object.assign({
    'POST /api/v1/demo/login': () => [200, { token: 't1', expires_in: 86400 }],
    'POST /api/v1/auth/wechat': () => [200, { token: 't1', expires_in: 86400, user: { id: 'u1', role: 'reporter', verified: false } }],
    'GET /api/v1/categories': () => [200, { items: [{ code: 'fire', name_zh: '消防', department: 'fire' }, { code: 'gas', name_zh: '燃气', department: 'gas' }] }],
    'GET /api/v1/departments': () => [200, { items: [{ code: 'fire', name_zh: '消防救援支队' }, { code: 'gas', name_zh: '燃气管理处' }] }],
    'GET /api/v1/processes': () => [200, { items: [{ name: 'citizen_report', states: [{ name: 'submitted', public: { zh: '已上报' }, label: { zh: '已上报' } }, { name: 'closed_valid', public: { zh: '已办结' }, label: { zh: '已办结' } }] }] }],
  }, opts.routes)
  const seen = []
  const answer = (method, url, data, header) => {
    const u = new URL(url)
    seen.push({ method, path: u.pathname, query: Object.fromEntries(u.searchParams), data, header })
    const key = method + ' ' + u.pathname
    const h = routes[key] || Object.entries(routes).find(([k]) => new RegExp('^' + k.replace(/\{\w+\}/g, '[^/]+') + '$').test(key))?.[1]
    if (!h) return [404, { error: { code: 'not_found', message: 'no route ' + key } }]
    return h({ query: Object.fromEntries(u.searchParams), data, header, path: u.pathname })
  }
  wx.request = (o) => {
    const [status, body] = answer(o.method || 'GET', o.url, o.data, o.header)
    Promise.resolve().then(() => o.success({ statusCode: status, data: body, header: {} }))
  }
  wx.uploadFile = (o) => {
    const listeners = []
    setTimeout(() => {
      listeners.forEach((f) => f({ progress: 100 }))
      const [status, body] = answer('POST', o.url, { filePath: o.filePath }, o.header)
      o.success({ statusCode: status, data: JSON.stringify(body) })
    }, 0)
    return { onProgressUpdate: (f) => listeners.push(f) }
  }
  wx.seen = seen
  global.wx = wx
  require('../miniprogram/api/index').configure({ baseURL: 'http://server.test', demoUser: '' })
  return wx
}

module.exports = { install }

// Renders each page in miniprogram-simulate with sample answers, at the
// 750-rpx width of a phone, and screenshots it with headless Chromium:
//   MINIPROGRAM_SCREENSHOT_DIR=$PWD/docs npm run screenshots
// The rendering is the simulator's: built-in components are drawn by
// scripts/screenshot.css, so inputs and images are placeholders.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFileSync } = require('child_process')
const { loadPage, settle } = require('../test/simulate')
const fakeServer = require('../test/fake-server')

const out = process.env.MINIPROGRAM_SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'mp-shots-'))
const root = path.join(__dirname, '..', 'miniprogram')
const appCSS = fs.readFileSync(path.join(root, 'app.wxss'), 'utf8')
  .replace(/@import[^;]+;/g, '')
  .replace(/(\d+)rpx/g, '$1px')
  .replace(/\.([a-z][\w-]*)/g, '.main--$1')
const shotCSS = fs.readFileSync(path.join(__dirname, 'screenshot.css'), 'utf8')

const item = (i, state, zh, desc, addr) => ({ ref: 'HZ-20261203-00000' + i, description: desc, address: addr, state, status: { zh }, severity: i === 1 ? 'major' : 'general', category: i === 1 ? 'gas' : 'fire', created_at: '2026-12-03T06:0' + i + ':00Z', timeline: [], photo_links: [{ key: 'k', url: '/photos/k' }] })
const plaza = [item(1, 'submitted', '已上报', '居民楼下闻到燃气味', '东昌府区光岳路8号'), item(2, 'closed_valid', '已办结', '小区消防通道被杂物堵塞', '东昌府区柳园路1号'), item(3, 'accepted', '办理中', '商场安全出口上锁', '东昌府区东昌路16号')]
const routes = {
  'GET /api/v1/stats': () => [200, { programme: { citizens: 1286, reports: 3452, rewards_paid_fen: 4567800 }, closed: 3120 }],
  'GET /api/v1/plaza': () => [200, { items: plaza }],
  'GET /api/v1/plaza/{ref}': () => [200, Object.assign({}, plaza[1], { timeline: [
    { type: 'submitted', time: '2026-12-01T02:00:00Z' },
    { type: 'transition', to: 'dispatched', note: '转消防救援支队', time: '2026-12-01T03:00:00Z' },
    { type: 'transition', to: 'accepted', time: '2026-12-01T05:00:00Z' },
    { type: 'transition', to: 'resolved', note: '杂物已清理', time: '2026-12-02T01:00:00Z' },
    { type: 'transition', to: 'closed_valid', note: '整改到位', time: '2026-12-02T06:00:00Z' }] })],
  'GET /api/v1/processes': () => [200, { items: [{ name: 'citizen_report', states: [['submitted', '已上报'], ['dispatched', '已转办'], ['accepted', '办理中'], ['resolved', '待审核'], ['closed_valid', '已办结'], ['closed_invalid', '不予受理']].map(([name, zh]) => ({ name, public: { zh }, label: { zh } })) }] }],
  'GET /api/v1/articles': () => [200, { items: [{ id: 'a1', title: '家庭燃气安全小常识', body: '使用燃气时人不离火，用后关闭灶前阀门。' }, { id: 'a2', title: '安全生产领域举报奖励办法（要点）', body: '举报重大事故隐患经查证属实的，给予奖励。' }, { id: 'a3', title: '中华人民共和国安全生产法（节选）', body: '任何单位或者个人对事故隐患均有权报告或者举报。' }] }],
  'GET /api/v1/me': () => [200, { id: 'citizen-1', name: '张三', phone: '138****0001', verified: true }],
  'GET /api/v1/me/reports': () => [200, { items: plaza.slice(0, 2).map((r) => Object.assign({ id: r.ref }, r)) }],
  'GET /api/v1/me/rewards': ({ query }) => [200, { items: query.status === 'pending' ? [{ id: 'r1', hazard_ref: plaza[1].ref, amount_fen: 5000, status: 'pending', status_label: '待领', claim_by: '2026-12-14T16:00:00Z' }] : [] }],
}

const shots = [
  ['home', 'home', (p) => p.instance.onLoad(), '水城安全隐患随手拍'],
  ['report', 'report', (p) => p.instance.onLoad(), '隐患上报'],
  ['plaza', 'plaza', (p) => p.instance.onLoad(), '上报广场'],
  ['detail', 'detail', (p) => p.instance.onLoad({ ref: plaza[1].ref }), '隐患详情'],
  ['mine', 'mine', (p) => p.instance.onShow(), '我的'],
  ['rewards', 'rewards', (p) => p.instance.onLoad({}), '我的奖励'],
  ['knowledge', 'knowledge', (p) => p.instance.onLoad(), '安全知识'],
  ['login', 'login', (p) => p.instance.onLoad(), '登录与实名认证', { 'GET /api/v1/me': () => [200, { id: 'u9', role: 'reporter', phone: '139****0021', verified: false }] }],
]

function chromium() {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      execFileSync('which', [c], { stdio: 'ignore' })
      return c
    } catch (e) {
      // not this one
    }
  }
  return ''
}

test.each(shots)('%s renders', async (name, page, load, title, extra) => {
  jest.resetModules()
  document.head.innerHTML = ''
  document.body.innerHTML = ''
  const wx = fakeServer.install({ routes: Object.assign({}, routes, extra) })
  wx.setStorageSync('hazardloop.token', { token: 't1', expires: Date.now() + 3600e3 })
  const p = loadPage(page)
  await load(p)
  await settle()
  expect(document.body.textContent.length).toBeGreaterThan(10)
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${shotCSS}</style><style>${appCSS}</style>${document.head.innerHTML}</head><body><div class="navbar">${title}</div>${document.body.innerHTML}</body></html>`
  const file = path.join(out, `miniprogram-${name}.html`)
  fs.writeFileSync(file, html)
  const c = chromium()
  if (c && process.env.MINIPROGRAM_SCREENSHOT_DIR) {
    execFileSync(c, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=750,1334', '--screenshot=' + path.join(out, `miniprogram-${name}.png`), 'file://' + file], { stdio: 'ignore' })
    fs.unlinkSync(file)
  }
})

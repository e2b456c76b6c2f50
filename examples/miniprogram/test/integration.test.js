/**
 * @jest-environment node
 */
// The mini-program's own API module and flows against the real example
// server (demo mode, in memory), with wx.request over real HTTP and the
// WeChat-only APIs answered by the harness as documented.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createWx, pngFile } = require('./wx-harness')
const { startServer, staff } = require('./server')

let server
let dir
let api
let flows

beforeAll(async () => {
  server = await startServer()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-'))
})

afterAll(async () => {
  if (server) await server.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

function fresh(user, demoUser) {
  global.wx = createWx({ user })
  jest.resetModules()
  api = require('../miniprogram/api/index')
  flows = require('../miniprogram/utils/flows')
  api.configure({ baseURL: server.baseURL, demoUser })
  return global.wx
}

test('a citizen reports with photos and location; the plaza shows it; the reward is claimed and confirmed by the server', async () => {
  const photos = [pngFile(dir, 1), pngFile(dir, 2)]
  const wx = fresh({ photos }, 'citizen-1')

  // Reference data the report page offers.
  const departments = await api.departments()
  expect(departments.items.map((d) => d.code)).toContain('fire')
  const categories = await api.categories()
  expect(categories.items.map((c) => c.code)).toContain('fire')

  const chosen = await flows.choosePhotos(0)
  expect(chosen).toEqual(photos)
  const here = await flows.locate()
  expect(wx.calls.find((c) => c.name === 'getLocation').args.type).toBe('gcj02')
  const notices = await flows.askForNotices(['tmpl-received'])
  expect(notices['tmpl-received']).toBe('accept')

  const draft = {
    category: 'fire', severity: 'major', unit: 'fire', description: '小区消防通道被杂物堵塞',
    address: '东昌府区柳园路1号', photos: chosen, location: here, idempotencyKey: api.newIdempotencyKey(),
  }
  expect(flows.validateReport(draft)).toEqual({})
  const progress = []
  const v = await flows.submitReport(draft, (i, pct) => progress.push([i, pct]))
  expect(v.state).toBe('submitted')
  expect(v.severity).toBe('major')
  expect(v.location.point.system).toBe('GCJ02')
  expect(progress.filter(([, p]) => p === 100).map(([i]) => i)).toEqual([0, 1])

  // A retry of the same draft (the answer was lost) files nothing new.
  const again = await flows.submitReport(draft)
  expect(again.id).toBe(v.id)
  expect(wx.calls.filter((c) => c.name === 'uploadFile')).toHaveLength(2)
  const mine = await api.myReports({ limit: 100 })
  expect(mine.items.filter((r) => r.id === v.id)).toHaveLength(1)

  // Staff run the loop.
  const dispatcher = await staff(server.baseURL, 'dispatcher-1')
  const fire = await staff(server.baseURL, 'fire-1')
  const reviewer = await staff(server.baseURL, 'reviewer-1')
  let s = await dispatcher.act(v.id, 'dispatch', { expected_version: v.version, department: 'fire' })
  s = await fire.act(v.id, 'accept', { expected_version: s.version })
  s = await fire.act(v.id, 'resolve', { expected_version: s.version, note: '已清理', photos: [await fire.upload(pngFile(dir, 9))] })
  s = await reviewer.act(v.id, 'approve', { expected_version: s.version, verdict: '整改到位' })
  expect(s.state).toBe('closed_valid')

  // The plaza shows it, with state names from the processes.
  const processes = await api.processes()
  const closed = processes.items.find((p) => p.name === 'citizen_report').states.find((x) => x.name === 'closed_valid')
  const plaza = await api.plaza({ state: 'closed_valid', limit: 50 })
  const item = plaza.items.find((i) => i.ref === v.ref)
  expect(item).toBeDefined()
  expect(item.status.zh).toBe(closed.public.zh)
  const one = await api.plazaReport(v.ref)
  expect(one.timeline.map((e) => e.to).filter(Boolean)).toEqual(['dispatched', 'accepted', 'resolved', 'closed_valid'])
  expect(JSON.stringify(one)).not.toContain('citizen-1')

  // The reward appears (the relay issues it) and is claimed.
  let pending
  for (let i = 0; i < 100 && !pending; i++) {
    const l = await api.myRewards({ status: 'pending' })
    pending = l.items.find((r) => r.hazard_ref === v.ref)
    if (!pending) await new Promise((r) => setTimeout(r, 50))
  }
  expect(pending).toBeDefined()
  expect(pending.amount_fen).toBeGreaterThan(0)
  const out = await flows.claimReward(pending.id)
  // The demo payer pays at once: no package, no transfer sheet, and the
  // status shown is the server's (test/wechat.test.js has WeChat Pay).
  expect(out.reward.id).toBe(pending.id)
  expect(out.transfer).toBe('none')
  expect(out.reward.status).toBe('claimed')
  expect(out.message).toBe('奖励已到账')
  expect(wx.calls.map((c) => c.name)).not.toContain('requestMerchantTransfer')
  const claimed = await api.myRewards({ status: 'claimed' })
  expect(claimed.items.map((r) => r.id)).toContain(pending.id)
})

test('a user who cancels the photo picker and denies location still files by typing the address', async () => {
  const wx = fresh({ photos: 'cancel', location: 'deny' }, 'citizen-3')
  expect(await flows.choosePhotos(0)).toEqual([])
  expect(await flows.locate()).toBeNull()
  const draft = { category: 'gas', description: '闻到燃气味', address: '', photos: [], idempotencyKey: api.newIdempotencyKey() }
  expect(Object.keys(flows.validateReport(draft)).sort()).toEqual(['address', 'photos'])

  wx.user.photos = [pngFile(dir, 3)]
  draft.photos = await flows.choosePhotos(0)
  draft.address = '光岳路8号'
  const v = await flows.submitReport(draft)
  expect(v.state).toBe('submitted')
  expect(v.location.point).toBeUndefined()
})

test('the server\'s field errors come back by field', async () => {
  fresh({}, 'citizen-1')
  const err = await api.submitReport({ category: '', description: '', address: '', photos: [] }, api.newIdempotencyKey()).catch((e) => e)
  expect(err).toBeInstanceOf(api.ApiError)
  expect(err.status).toBe(400)
  expect(err.code).toBe('invalid')
  expect(Object.keys(err.fieldErrors()).sort()).toEqual(['address', 'category', 'description', 'photos'])
})

test('a token the server refuses is renewed by logging in again, once', async () => {
  const wx = fresh({}, 'citizen-1')
  await api.me()
  const logins = () => wx.calls.filter((c) => c.name === 'request' && c.args.url.endsWith('/demo/login')).length
  expect(logins()).toBe(1)
  wx.setStorageSync('hazardloop.token', { token: 'forged.token', expires: Date.now() + 3600e3 })
  const me = await api.me()
  expect(me.id).toBe('citizen-1')
  expect(logins()).toBe(2)
})

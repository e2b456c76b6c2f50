/**
 * @jest-environment node
 */
// The WeChat path through the mini-program's own API module and flows:
// wx.login → POST /api/v1/auth/wechat, getPhoneNumber → phone binding,
// real-name verification, report, the loop, and the claim paid by WeChat
// Pay merchant transfer (package → wx.requestMerchantTransfer → the
// callback → claimed), against the example server that TestMiniProgram
// runs with WeChat and WeChat Pay on local fakes
// (HAZARDLOOP_WECHAT_SERVER_URL, HAZARDLOOP_WECHAT_CONTROL_URL).
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createWx, pngFile } = require('./wx-harness')
const { staff } = require('./server')

const base = process.env.HAZARDLOOP_WECHAT_SERVER_URL
const control = process.env.HAZARDLOOP_WECHAT_CONTROL_URL
const suite = base && control ? describe : describe.skip
if (!base || !control) console.log('the WeChat tests run from TestMiniProgram (go test ./examples/miniprogram/), which starts the fakes')

// residentID makes a valid 18-digit resident ID number (ISO 7064 MOD 11-2).
function residentID(serial) {
  const body = '11010219900101' + String(serial).padStart(3, '0')
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

let dir
let api
let flows

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-wx-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function fresh(user) {
  global.wx = createWx({ user, control })
  jest.resetModules()
  api = require('../miniprogram/api/index')
  flows = require('../miniprogram/utils/flows')
  api.configure({ baseURL: base, demoUser: '' })
  return global.wx
}

// closedReport files a report as the signed-in citizen and has the staff
// close it as valid; it answers the report.
async function closedReport(seed) {
  const draft = {
    category: 'fire', severity: 'general', description: '楼道堆放杂物堵塞消防通道 ' + seed,
    address: '东昌府区柳园路' + seed + '号', photos: [pngFile(dir, seed)], idempotencyKey: api.newIdempotencyKey(),
  }
  const v = await flows.submitReport(draft)
  const dispatcher = await staff(base, 'dispatcher-1')
  const fire = await staff(base, 'fire-1')
  const reviewer = await staff(base, 'reviewer-1')
  let s = await dispatcher.act(v.id, 'dispatch', { expected_version: v.version, department: 'fire' })
  s = await fire.act(v.id, 'accept', { expected_version: s.version })
  s = await fire.act(v.id, 'resolve', { expected_version: s.version, note: '已清理', photos: [await fire.upload(pngFile(dir, seed + 50))] })
  s = await reviewer.act(v.id, 'approve', { expected_version: s.version, verdict: '整改到位' })
  expect(s.state).toBe('closed_valid')
  return v
}

async function pendingReward(ref) {
  for (let i = 0; i < 200; i++) {
    const l = await api.myRewards({ status: 'pending' })
    const r = l.items.find((x) => x.hazard_ref === ref)
    if (r) return r
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error('no pending reward for ' + ref)
}

async function until(id, status) {
  for (let i = 0; i < 200; i++) {
    const r = await api.rewardState(id)
    if (r.status === status) return r
    await new Promise((res) => setTimeout(res, 50))
  }
  return api.rewardState(id)
}

suite('WeChat', () => {
  test('wx.login, phone, real name, report, loop, claim by merchant transfer: refused, then confirmed and paid', async () => {
    const wx = fresh({ wechat: 'alice', transfer: 'cancel' })
    const session = await api.login()
    expect(session.token).toBeTruthy()
    expect(wx.calls.map((c) => c.name)).toContain('login')

    // Reporting needs the phone number first.
    const denied = await api.upload(pngFile(dir, 1)).catch((e) => e)
    expect(denied.status).toBe(403)
    expect(denied.field).toBe('phone')
    await api.bindPhone('phone-13900000021')
    const me = await api.me()
    expect(me.phone).toMatch(/^139\*+0021$/)
    const verified = await api.verify('王五', residentID(21))
    expect(verified.verified).toBe(true)

    const v = await closedReport(2)
    const reward = await pendingReward(v.ref)

    // The citizen closes the transfer sheet: WeChat Pay still waits, the
    // reward is not paid, and the page says so.
    const refused = await flows.claimReward(reward.id)
    expect(refused.transfer).toBe('cancelled')
    expect(refused.reward.status).toBe('claiming')
    expect(refused.message).toContain('取消收款')
    const sheet = wx.calls.filter((c) => c.name === 'requestMerchantTransfer')
    expect(sheet).toHaveLength(1)
    expect(sheet[0].args.package).toBeTruthy()
    expect(sheet[0].args.mchId).toBeTruthy()
    expect(sheet[0].args.appId).toBeTruthy()

    // Later they claim again and confirm: the same bill's package, and the
    // reward is claimed when WeChat Pay's callback has reached the server.
    wx.user.transfer = 'confirm'
    const paid = await flows.claimReward(reward.id, true)
    expect(paid.transfer).toBe('confirmed')
    const again = wx.calls.filter((c) => c.name === 'requestMerchantTransfer')
    expect(again[1].args.package).toBe(sheet[0].args.package)
    expect((await until(reward.id, 'claimed')).status).toBe('claimed')
  })

  test('a token the server no longer takes is renewed through wx.login', async () => {
    const wx = fresh({ wechat: 'bob' })
    await api.login()
    wx.setStorageSync('hazardloop.token', { token: 'expired.token', expires: Date.now() + 3600e3 })
    const me = await api.me()
    expect(me.role).toBe('reporter')
    expect(wx.calls.filter((c) => c.name === 'login')).toHaveLength(2)
  })
})

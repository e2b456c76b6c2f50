// The report page in miniprogram-simulate against a fake server answering
// through the wx harness's request.
const { loadPage, settle } = require('./simulate')
const fakeServer = require('./fake-server')

let wx
beforeEach(() => {
  jest.resetModules()
  wx = fakeServer.install()
})

test('the report page shows reference data, the major explanation and a counter', async () => {
  const page = loadPage('report')
  page.instance.onLoad()
  await settle()
  expect(page.data.categories.length).toBe(2)
  expect(page.data.departments.length).toBe(2)
  expect(page.querySelector('#major-help').dom.textContent).toContain('重大隐患')
  page.instance.onDescription({ detail: { value: '消防通道堵塞' } })
  await settle()
  expect(page.querySelector('#counter').dom.textContent).toBe('6/1000')
})

test('validation messages appear where the fields are; the server\'s field errors too', async () => {
  const page = loadPage('report')
  page.instance.onLoad()
  await settle()
  await page.instance.submit()
  await settle()
  expect(page.querySelector('#error-photos').dom.textContent).toContain('照片')
  expect(page.querySelector('#error-address').dom.textContent).toContain('地址')
  expect(page.querySelector('#error-category')).toBeTruthy()
  expect(wx.seen.filter((r) => r.path === '/api/v1/reports')).toHaveLength(0)
})

test('a cancelled picker adds nothing; a denied location says to type the address', async () => {
  wx.user.photos = 'cancel'
  wx.user.location = 'deny'
  const page = loadPage('report')
  page.instance.onLoad()
  await settle()
  await page.instance.addPhotos()
  await settle()
  expect(page.data.photos).toEqual([])
  expect(page.querySelector('#error-location').dom.textContent).toContain('手动填写地址')
})

test('a failed submit keeps the Idempotency-Key; the server\'s field errors are shown by field', async () => {
  const fs = require('fs')
  const os = require('os')
  const path = require('path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-'))
  const photo = path.join(dir, 'a.png')
  fs.writeFileSync(photo, 'x')
  let attempts = 0
  wx = fakeServer.install({
    user: { photos: [photo] },
    routes: {
      'POST /api/v1/uploads': () => [201, { key: 'k1', url: '/photos/k1' }],
      'POST /api/v1/reports': () => {
        attempts++
        if (attempts === 1) return [503, { error: { code: 'unavailable', message: 'busy' } }]
        return [400, { error: { code: 'invalid', message: 'bad', field: 'description', fields: [{ field: 'description', message: '描述过于简单' }] } }]
      },
    },
  })
  global.wx = wx
  const page = loadPage('report')
  page.instance.onLoad()
  await settle()
  await page.instance.addPhotos()
  page.instance.onAddress({ detail: { value: '柳园路1号' } })
  page.instance.onCategory({ detail: { value: 0 } })
  page.instance.onDescription({ detail: { value: '有隐患' } })
  await page.instance.submit()
  await settle()
  expect(page.querySelector('#message').dom.textContent).toContain('不会重复上报')
  // The photo was uploaded (progress shown) and is not uploaded again.
  expect(page.data.progress).toEqual([100])
  await page.instance.submit()
  await settle()
  expect(page.querySelector('#error-description').dom.textContent).toBe('描述过于简单')
  const posts = wx.seen.filter((r) => r.path === '/api/v1/reports')
  expect(posts).toHaveLength(2)
  expect(posts[0].header['Idempotency-Key']).toBeTruthy()
  expect(posts[1].header['Idempotency-Key']).toBe(posts[0].header['Idempotency-Key'])
  expect(wx.seen.filter((r) => r.path === '/api/v1/uploads')).toHaveLength(1)
  expect(posts[0].data).toMatchObject({ category: 'fire', unit: 'fire', photos: ['k1'], coord_system: 'GCJ02' })
  expect(wx.calls.map((c) => c.name)).toContain('getLocation')
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a WeChat login without a phone number is sent to bind it before reporting', async () => {
  const fs = require('fs')
  const os = require('os')
  const path = require('path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-'))
  const photo = path.join(dir, 'a.png')
  fs.writeFileSync(photo, 'x')
  wx = fakeServer.install({
    user: { photos: [photo] },
    routes: {
      'POST /api/v1/uploads': () => [403, { error: { code: 'forbidden', field: 'phone', message: 'bind your phone number first (POST /api/v1/me/phone/wechat)' } }],
    },
  })
  const page = loadPage('report')
  page.instance.onLoad()
  await settle()
  await page.instance.addPhotos()
  page.instance.onAddress({ detail: { value: '柳园路1号' } })
  page.instance.onCategory({ detail: { value: 0 } })
  page.instance.onDescription({ detail: { value: '有隐患' } })
  await page.instance.submit()
  await settle()
  expect(page.querySelector('#message').dom.textContent).toContain('绑定手机号')
  expect(wx.calls.filter((c) => c.name === 'navigateTo').map((c) => c.args.url)).toEqual(['/pages/login/login'])
  fs.rmSync(dir, { recursive: true, force: true })
})

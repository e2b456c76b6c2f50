// The pages in miniprogram-simulate, each against a fake server's answers.
const { loadPage, settle } = require('./simulate')
const fakeServer = require('./fake-server')

const text = (page, sel) => page.querySelectorAll(sel).map((n) => n.dom.textContent.replace(/\s+/g, ' ').trim())

function plazaItem(i, state = 'submitted') {
  return { ref: 'HZ-' + i, description: '隐患' + i, address: '路' + i, state, status: { zh: 'x' }, severity: i === 1 ? 'major' : 'general', category: 'fire', created_at: '2026-12-03T06:00:00Z', timeline: [], photo_links: [] }
}

beforeEach(() => jest.resetModules())

test('home shows the figures, the latest reports and knowledge', async () => {
  fakeServer.install({
    routes: {
      'GET /api/v1/stats': () => [200, { programme: { citizens: 3, reports: 12, rewards_paid_fen: 7000 }, closed: 4 }],
      'GET /api/v1/plaza': () => [200, { items: [plazaItem(1)] }],
      'GET /api/v1/articles': ({ query }) => [200, { items: query.kind === 'knowledge' ? [{ id: 'a1', title: '家庭燃气安全小常识' }] : [] }],
    },
  })
  const page = loadPage('home')
  await page.instance.onLoad()
  await settle()
  expect(text(page, '#figures .n')).toEqual(['12', '4', '3', '¥70.00'])
  expect(text(page, '.latest')[0]).toContain('隐患1')
  expect(text(page, '.article')).toEqual(['家庭燃气安全小常识'])
})

test('the plaza filters by category and state and loads more at the bottom', async () => {
  const wx = fakeServer.install({
    routes: {
      'GET /api/v1/plaza': ({ query }) => {
        if (query.cursor === 'c2') return [200, { items: [plazaItem(3, 'closed_valid')] }]
        return [200, { items: [plazaItem(1), plazaItem(2)], next: 'c2' }]
      },
    },
  })
  const page = loadPage('plaza')
  await page.instance.onLoad()
  await settle()
  expect(text(page, '.report')).toHaveLength(2)
  // State names come from the processes, not from the list.
  expect(text(page, '.report .badge')[0]).toBe('已上报')
  expect(text(page, '.report')[0]).toContain('重大')
  await page.instance.onReachBottom()
  await settle()
  expect(text(page, '.report')).toHaveLength(3)
  expect(text(page, '.report .badge')[3]).toBe('已办结')
  expect(page.querySelector('#end')).toBeTruthy()
  await page.instance.onReachBottom()
  expect(wx.seen.filter((r) => r.path === '/api/v1/plaza')).toHaveLength(2)

  await page.instance.onCategory({ detail: { value: 1 } })
  await page.instance.onState({ detail: { value: 1 } })
  await settle()
  const last = wx.seen.filter((r) => r.path === '/api/v1/plaza').pop()
  expect(last.query).toEqual({ category: 'gas', state: 'closed_valid', limit: '10' })
  expect(text(page, '#filter-state')[0]).toContain('已办结')
})

test('a report\'s page shows its photos and public timeline', async () => {
  fakeServer.install({
    routes: {
      'GET /api/v1/plaza/{ref}': () => [200, Object.assign(plazaItem(1, 'closed_valid'), {
        photo_links: [{ key: 'k', url: '/photos/k' }],
        timeline: [{ type: 'submitted', time: '2026-12-03T06:00:00Z' }, { type: 'transition', to: 'closed_valid', note: '整改到位', time: '2026-12-03T07:00:00Z' }],
      })],
    },
  })
  const page = loadPage('detail')
  await page.instance.onLoad({ ref: 'HZ-1' })
  await settle()
  expect(text(page, '#state')).toEqual(['已办结'])
  expect(page.querySelectorAll('.photo')).toHaveLength(1)
  expect(page.data.photos).toEqual(['http://server.test/photos/k'])
  expect(text(page, '.step')[0]).toContain('市民上报')
  expect(text(page, '.step')[1]).toContain('已办结：整改到位')
})

test('a missing report says so', async () => {
  fakeServer.install()
  const page = loadPage('detail')
  await page.instance.onLoad({ ref: 'HZ-404' })
  await settle()
  expect(text(page, '#message')).toEqual(['没有找到这条上报'])
})

function rewardsServer(claimAnswer, afterClaim) {
  const state = { status: 'pending' }
  const reward = () => ({ id: 'r1', hazard_ref: 'HZ-1', amount_fen: 5000, status: state.status, status_label: { pending: '待领', claiming: '领取中', claimed: '已领' }[state.status], claim_by: '2026-12-14T16:00:00Z' })
  return {
    state,
    routes: {
      'GET /api/v1/me/rewards': ({ query }) => [200, { items: !query.status || query.status === state.status ? [reward()] : [] }],
      'POST /api/v1/me/rewards/{id}/claim': () => {
        if (state.status !== 'pending') return [409, { error: { code: 'conflict', message: 'not pending' } }]
        state.status = 'claiming'
        return [200, Object.assign(reward(), claimAnswer)]
      },
      'GET /api/v1/me/rewards/{id}/claim': () => [200, Object.assign(reward(), claimAnswer)],
    },
    after: afterClaim,
  }
}

test('rewards: tabs 待领 / 已领 / 已过期; a claim with a package opens the merchant transfer and shows what the server says', async () => {
  const s = rewardsServer({ package: 'pkg-1', mch_id: '1900000109', app_id: 'wxapp' })
  const wx = fakeServer.install({ routes: s.routes, user: { transfer: 'confirm' } })
  // The server confirms the transfer (its callback arrived).
  const orig = wx.requestMerchantTransfer
  wx.requestMerchantTransfer = (o) => {
    s.state.status = 'claimed'
    orig(o)
  }
  wx.setStorageSync('hazardloop.token', { token: 't1', expires: Date.now() + 3600e3 })
  const page = loadPage('rewards')
  await page.instance.onLoad({})
  await settle()
  expect(text(page, '.tab')).toEqual(['待领', '已领', '已过期'])
  expect(text(page, '.reward .amount')).toEqual(['¥50.00'])
  await page.instance.claim({ currentTarget: { dataset: { id: 'r1' } } })
  await settle()
  const t = wx.calls.find((c) => c.name === 'requestMerchantTransfer')
  expect(t.args).toEqual({ mchId: '1900000109', appId: 'wxapp', package: 'pkg-1' })
  expect(text(page, '#message')).toEqual(['奖励已到账'])
  await page.instance.switchTab({ currentTarget: { dataset: { index: 1 } } })
  await settle()
  expect(text(page, '.reward .amount')).toEqual(['¥50.00'])
})

test('rewards: a user who refuses the transfer sees it still waiting, never paid', async () => {
  const s = rewardsServer({ package: 'pkg-1', mch_id: 'm', app_id: 'a' })
  const wx = fakeServer.install({ routes: s.routes, user: { transfer: 'cancel' } })
  wx.setStorageSync('hazardloop.token', { token: 't1', expires: Date.now() + 3600e3 })
  const page = loadPage('rewards')
  await page.instance.onLoad({})
  await settle()
  await page.instance.claim({ currentTarget: { dataset: { id: 'r1' } } })
  await settle()
  expect(text(page, '#message')[0]).toContain('取消收款')
  expect(text(page, '.claim')).toEqual(['继续领取'])

  // Later the citizen claims again: the waiting transfer's package is read
  // again (GET), never a second claim, and this time confirmed.
  wx.user.transfer = 'confirm'
  const orig = wx.requestMerchantTransfer
  wx.requestMerchantTransfer = (o) => {
    s.state.status = 'claimed'
    orig(o)
  }
  await page.instance.claim({ currentTarget: { dataset: { id: 'r1' } } })
  await settle()
  expect(wx.seen.filter((r) => r.method === 'POST' && r.path.endsWith('/claim'))).toHaveLength(1)
  expect(wx.seen.filter((r) => r.method === 'GET' && r.path.endsWith('/claim'))).toHaveLength(1)
  expect(text(page, '#message')).toEqual(['奖励已到账'])
})

test('rewards: a confirmed transfer the server has not yet seen is shown as being confirmed', async () => {
  const s = rewardsServer({ package: 'pkg-1', mch_id: 'm', app_id: 'a' })
  const wx = fakeServer.install({ routes: s.routes })
  wx.setStorageSync('hazardloop.token', { token: 't1', expires: Date.now() + 3600e3 })
  const page = loadPage('rewards')
  await page.instance.onLoad({})
  await settle()
  await page.instance.claim({ currentTarget: { dataset: { id: 'r1' } } })
  await settle()
  expect(text(page, '#message')).toEqual(['已确认收款，到账确认中'])
})

test('mine: signed out it offers login; signed in it lists my reports; logout forgets the token', async () => {
  const wx = fakeServer.install({
    routes: {
      'GET /api/v1/me': () => [200, { id: 'u1', name: '张三', phone: '138****0001', verified: true }],
      'GET /api/v1/me/reports': () => [200, { items: [{ id: 'h1', ref: 'HZ-1', description: '消防通道堵塞', state: 'submitted', created_at: '2026-12-03T06:00:00Z' }] }],
    },
  })
  const page = loadPage('mine')
  await page.instance.onShow()
  await settle()
  expect(page.querySelector('#signed-out')).toBeTruthy()
  wx.setStorageSync('hazardloop.token', { token: 't1', expires: Date.now() + 3600e3 })
  await page.instance.onShow()
  await settle()
  expect(text(page, '#user')[0]).toContain('已实名认证')
  expect(text(page, '.report')[0]).toContain('已上报')
  page.instance.logout()
  await settle()
  expect(wx.getStorageSync('hazardloop.token')).toBe('')
  expect(page.querySelector('#signed-out')).toBeTruthy()
})

test('knowledge lists articles by kind; an article shows its body', async () => {
  const wx = fakeServer.install({
    routes: {
      'GET /api/v1/articles': ({ query }) => [200, { items: [{ id: 'a1', title: query.kind === 'law' ? '安全生产法' : '燃气安全', body: '# 第一条\n内容' }] }],
      'GET /api/v1/articles/{id}': () => [200, { id: 'a1', title: '燃气安全', html: '<p>人不离火</p>', published_at: '2026-12-03T06:00:00Z' }],
    },
  })
  const page = loadPage('knowledge')
  await page.instance.onLoad()
  await settle()
  expect(text(page, '.article .title')).toEqual(['燃气安全'])
  await page.instance.pick({ currentTarget: { dataset: { index: 2 } } })
  await settle()
  expect(text(page, '.article .title')).toEqual(['安全生产法'])
  expect(wx.seen.filter((r) => r.path === '/api/v1/articles').pop().query).toEqual({ kind: 'law' })
  const art = loadPage('article')
  await art.instance.onLoad({ id: 'a1' })
  await settle()
  expect(text(art, '#title')).toEqual(['燃气安全'])
  expect(art.data.article.html).toBe('<p>人不离火</p>')
})

test('login: wx.login gives a token, a refused phone is explained, the verification form shows field errors', async () => {
  let me = { id: 'u1', role: 'reporter', verified: false }
  const wx = fakeServer.install({
    routes: {
      'GET /api/v1/me': () => [200, me],
      'POST /api/v1/me/phone/wechat': ({ data }) => {
        me = Object.assign({}, me, { phone: '138****0009' })
        return [200, { token: 't2', expires_in: 86400, user: me, code: data.code }]
      },
      'POST /api/v1/me/verify': ({ data }) => {
        if (data.resident_id === '110101199003070000') return [400, { error: { code: 'invalid', message: 'bad', field: 'resident_id', fields: [{ field: 'resident_id', message: '身份证号码校验位不正确' }] } }]
        me = Object.assign({}, me, { name: '张三', verified: true })
        return [200, me]
      },
    },
  })
  const page = loadPage('login')
  await page.instance.onLoad()
  await settle()
  expect(page.querySelector('#step-login')).toBeTruthy()
  await page.instance.login()
  await settle()
  expect(wx.calls.map((c) => c.name)).toContain('login')
  expect(wx.seen.find((r) => r.path === '/api/v1/auth/wechat').data.code).toMatch(/^wxcode-citizen-1/)
  expect(page.querySelector('#step-phone')).toBeTruthy()

  await page.instance.onPhone({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })
  await settle()
  expect(text(page, '#message')[0]).toContain('未授权手机号')
  await page.instance.onPhone({ detail: { errMsg: 'getPhoneNumber:ok', code: 'phone-code' } })
  await settle()
  expect(wx.seen.find((r) => r.path === '/api/v1/me/phone/wechat').data).toEqual({ code: 'phone-code' })
  expect(wx.getStorageSync('hazardloop.token').token).toBe('t2')

  await page.instance.verify()
  await settle()
  expect(text(page, '#error-name')).toEqual(['请填写真实姓名'])
  expect(text(page, '#error-resident-id')).toEqual(['请填写18位居民身份证号码'])
  page.instance.onName({ detail: { value: '张三' } })
  page.instance.onResidentId({ detail: { value: '110101199003070000' } })
  await page.instance.verify()
  await settle()
  expect(text(page, '#error-resident-id')).toEqual(['身份证号码校验位不正确'])
  page.instance.onResidentId({ detail: { value: '11010119900307001X' } })
  await page.instance.verify()
  await settle()
  expect(page.querySelector('#step-done')).toBeTruthy()
  expect(page.data.residentId).toBe('')
})

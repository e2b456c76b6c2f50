// 我的: who is signed in, my reports, and the way to my rewards. Nothing
// personal is cached: it is read when the page shows and dropped on logout.
const api = require('../../api/index')
const format = require('../../utils/format')

Component({
  data: { signedIn: false, user: null, reports: [], next: '', message: '' },
  methods: {
    onShow() {
      return this.refresh()
    },
    async refresh() {
      if (!api.token()) {
        this.setData({ signedIn: false, user: null, reports: [] })
        return
      }
      try {
        const [user, mine, names] = await Promise.all([api.me(), api.myReports({ limit: 20 }), format.stateNames()])
        this.setData({
          signedIn: true,
          user: { name: user.name || '未实名', phone: user.phone || '未绑定手机号', verified: !!user.verified },
          reports: (mine.items || []).map((r) => ({ id: r.id, ref: r.ref, description: r.description, state: names[r.state] || r.state, time: format.day(r.created_at) })),
          next: mine.next || '',
          message: '',
        })
      } catch (e) {
        this.setData({ message: '加载失败，请稍后重试' })
      }
    },
    goLogin() {
      wx.navigateTo({ url: '/pages/login/login' })
    },
    goRewards() {
      wx.navigateTo({ url: '/pages/rewards/rewards' })
    },
    logout() {
      api.logout()
      this.setData({ signedIn: false, user: null, reports: [] })
    },
  },
})

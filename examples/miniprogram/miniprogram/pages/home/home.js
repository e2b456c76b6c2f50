// 首页: the programme's figures, the report button, the latest reports
// and safety knowledge.
const api = require('../../api/index')
const format = require('../../utils/format')

Component({
  data: { stats: null, latest: [], articles: [], message: '' },
  methods: {
    async onLoad() {
      await this.refresh()
    },
    async onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    },
    async refresh() {
      try {
        const [stats, plaza, articles] = await Promise.all([api.stats(), api.plaza({ limit: 5 }), api.articles('knowledge')])
        const p = stats.programme || {}
        this.setData({
          stats: { citizens: p.citizens || 0, reports: p.reports || 0, closed: stats.closed || 0, paid: format.yuan(p.rewards_paid_fen) },
          latest: (plaza.items || []).map((r) => ({ ref: r.ref, description: r.description, status: r.status && r.status.zh, address: r.address, time: format.day(r.created_at) })),
          articles: (articles.items || []).slice(0, 3).map((a) => ({ id: a.id, title: a.title })),
          message: '',
        })
      } catch (e) {
        this.setData({ message: '加载失败，请下拉刷新' })
      }
    },
    goReport() {
      wx.navigateTo({ url: '/pages/report/report' })
    },
    openReport(e) {
      wx.navigateTo({ url: '/pages/detail/detail?ref=' + e.currentTarget.dataset.ref })
    },
    openArticle(e) {
      wx.navigateTo({ url: '/pages/article/article?id=' + e.currentTarget.dataset.id })
    },
  },
})

// 上报广场: public reports with filters (category, state) and infinite
// scroll; state names from GET /api/v1/processes.
const api = require('../../api/index')
const format = require('../../utils/format')

const PAGE = 10

Component({
  data: { items: [], categories: [], states: [], catIndex: -1, stateIndex: -1, next: '', loading: false, done: false, message: '' },
  methods: {
    async onLoad() {
      try {
        const [c, states] = await Promise.all([api.categories(), format.citizenStates()])
        this.setData({ categories: c.items, states })
      } catch (e) {
        this.setData({ message: '加载失败，请下拉刷新' })
      }
      await this.reload()
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    onReachBottom() {
      return this.more()
    },
    async reload() {
      this.setData({ items: [], next: '', done: false })
      await this.more()
    },
    async more() {
      if (this.data.loading || this.data.done) return
      this.setData({ loading: true })
      const d = this.data
      try {
        const [page, names] = await Promise.all([api.plaza({
          category: d.catIndex >= 0 ? d.categories[d.catIndex].code : '',
          state: d.stateIndex >= 0 ? d.states[d.stateIndex].name : '',
          limit: PAGE,
          cursor: d.next,
        }), format.stateNames()])
        const cats = {}
        for (const c of this.data.categories) cats[c.code] = c.name_zh
        const rows = (page.items || []).map((r) => ({
          ref: r.ref, description: r.description, address: r.address, state: names[r.state] || r.state,
          category: cats[r.category] || r.category, major: r.severity === 'major', time: format.day(r.created_at),
        }))
        this.setData({ items: this.data.items.concat(rows), next: page.next || '', done: !page.next, loading: false, message: '' })
      } catch (e) {
        this.setData({ loading: false, message: '加载失败，请下拉刷新' })
      }
    },
    onCategory(e) {
      this.setData({ catIndex: Number(e.detail.value) })
      return this.reload()
    },
    onState(e) {
      this.setData({ stateIndex: Number(e.detail.value) })
      return this.reload()
    },
    clearFilters() {
      this.setData({ catIndex: -1, stateIndex: -1 })
      return this.reload()
    },
    open(e) {
      wx.navigateTo({ url: '/pages/detail/detail?ref=' + e.currentTarget.dataset.ref })
    },
  },
})

// 安全知识: published articles (laws, rules, safety knowledge).
const api = require('../../api/index')

const KINDS = [
  { key: '', title: '全部' },
  { key: 'knowledge', title: '安全知识' },
  { key: 'law', title: '法律法规' },
  { key: 'rule', title: '奖励办法' },
]

Component({
  data: { kinds: KINDS, kind: 0, items: [], message: '' },
  methods: {
    onLoad() {
      return this.refresh()
    },
    pick(e) {
      this.setData({ kind: Number(e.currentTarget.dataset.index) })
      return this.refresh()
    },
    async refresh() {
      try {
        const l = await api.articles(KINDS[this.data.kind].key)
        this.setData({ items: (l.items || []).map((a) => ({ id: a.id, title: a.title, source: a.source || '', summary: (a.body || '').replace(/[#\-*\n]+/g, ' ').trim().slice(0, 60) })), message: '' })
      } catch (e) {
        this.setData({ message: '加载失败，请稍后重试' })
      }
    },
    open(e) {
      wx.navigateTo({ url: '/pages/article/article?id=' + e.currentTarget.dataset.id })
    },
  },
})

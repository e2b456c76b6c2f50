// 我的奖励: the tabs 待领 / 已领 / 已过期. A claim opens
// wx.requestMerchantTransfer with the server's package when WeChat Pay
// waits for the citizen, then shows what the server says.
const api = require('../../api/index')
const flows = require('../../utils/flows')
const format = require('../../utils/format')

// TABS maps each tab to the reward statuses it lists.
const TABS = [
  { key: 'pending', title: '待领', statuses: ['pending', 'claiming', 'failed'] },
  { key: 'claimed', title: '已领', statuses: ['claimed'] },
  { key: 'expired', title: '已过期', statuses: ['expired'] },
]

Component({
  data: { tabs: TABS.map((t) => t.title), tab: 0, items: [], claiming: '', message: '' },
  methods: {
    onLoad(query) {
      const i = TABS.findIndex((t) => t.key === (query && query.tab))
      if (i >= 0) this.setData({ tab: i })
      return this.refresh()
    },
    switchTab(e) {
      this.setData({ tab: Number(e.currentTarget.dataset.index), message: '' })
      return this.refresh()
    },
    async refresh() {
      const t = TABS[this.data.tab]
      try {
        const pages = await Promise.all(t.statuses.map((status) => api.myRewards({ status, limit: 100 })))
        const items = [].concat(...pages.map((p) => p.items || [])).map((r) => ({
          id: r.id, ref: r.hazard_ref, amount: format.yuan(r.amount_fen), status: r.status, label: r.status_label,
          claimBy: format.day(r.claim_by), canClaim: r.status === 'pending' || r.status === 'claiming',
          again: r.status === 'claiming',
        }))
        this.setData({ items })
      } catch (e) {
        this.setData({ message: '加载失败，请稍后重试' })
      }
    },
    async claim(e) {
      const id = e.currentTarget.dataset.id
      if (this.data.claiming) return
      const item = this.data.items.find((r) => r.id === id)
      this.setData({ claiming: id, message: '' })
      try {
        const out = await flows.claimReward(id, !!(item && item.again))
        this.setData({ message: out.message })
      } catch (err) {
        this.setData({ message: err.status === 409 ? '该奖励当前不能领取' : err.status === 403 ? (err.field === 'phone' ? '请先绑定手机号' : '请先完成实名认证') : '领取失败，请稍后重试' })
      }
      this.setData({ claiming: '' })
      await this.refresh()
    },
  },
})

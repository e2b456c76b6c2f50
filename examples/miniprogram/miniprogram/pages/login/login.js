// 登录: wx.login for a token, getPhoneNumber to bind the phone, and the
// real-name verification form (name and resident ID number, sent once and
// never kept on the phone).
const api = require('../../api/index')

// RESIDENT_ID is the shape of an 18-character resident ID number; the
// server checks the check digit and the birth date.
const RESIDENT_ID = /^\d{17}[\dXx]$/

Component({
  data: { step: 'login', user: null, name: '', residentId: '', errors: {}, message: '', busy: false },
  methods: {
    async onLoad() {
      if (api.token()) await this.loadUser()
    },
    async loadUser() {
      try {
        const user = await api.me()
        this.setData({ user, step: user.verified ? 'done' : user.phone ? 'verify' : 'phone' })
      } catch (e) {
        this.setData({ message: '加载失败，请稍后重试' })
      }
    },
    async login() {
      this.setData({ busy: true, message: '' })
      try {
        await api.login()
        await this.loadUser()
      } catch (e) {
        this.setData({ message: '登录失败，请稍后重试' })
      }
      this.setData({ busy: false })
    },
    async onPhone(e) {
      const d = e.detail || {}
      if (!d.code) {
        // The user refused, or the account cannot share a phone number.
        this.setData({ message: '未授权手机号，可稍后在“我的”中绑定' })
        return
      }
      this.setData({ busy: true, message: '' })
      try {
        await api.bindPhone(d.code)
        await this.loadUser()
      } catch (err) {
        this.setData({ message: err.message || '绑定失败，请稍后重试' })
      }
      this.setData({ busy: false })
    },
    onName(e) {
      this.setData({ name: e.detail.value, 'errors.name': '' })
    },
    onResidentId(e) {
      this.setData({ residentId: e.detail.value, 'errors.resident_id': '' })
    },
    async verify() {
      const errors = {}
      const name = this.data.name.trim()
      const id = this.data.residentId.trim()
      if (!name) errors.name = '请填写真实姓名'
      if (!RESIDENT_ID.test(id)) errors.resident_id = '请填写18位居民身份证号码'
      if (Object.keys(errors).length) {
        this.setData({ errors })
        return
      }
      this.setData({ busy: true, errors: {}, message: '' })
      try {
        await api.verify(name, id)
        // The number is not kept on the phone once sent.
        this.setData({ residentId: '', name: '' })
        await this.loadUser()
        wx.showToast({ title: '实名认证成功', icon: 'success' })
      } catch (err) {
        if (err instanceof api.ApiError && err.fields.length) this.setData({ errors: err.fieldErrors() })
        else this.setData({ message: err.status === 409 ? '该身份证号已被其他账号认证' : '认证失败，请稍后重试' })
      }
      this.setData({ busy: false })
    },
  },
})

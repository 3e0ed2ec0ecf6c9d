// The warning before the idle timeout signs someone out (WCAG 2.2.1 Timing adjustable): about two minutes before,
// a dialog says so and offers to stay signed in. How long is left is asked of the server (accounts.views.session),
// never guessed from when the page loaded: another tab may have kept the session alive. Asking is not activity.
// Without JavaScript nothing changes: the session ends after the idle time, and a form posted after that is kept
// for its author to check and save once signed in again (accounts/kept_form.py).

const WARN_SECONDS = 120
// The page signs out this long before the server would end the session: the request that does it is still signed
// in, so the sign-in page can say why it is shown.
const MARGIN_SECONDS = 5
// A page's request saves the session at most once a minute (accounts.middleware.ACTIVITY_SAVE_SECONDS), so at
// least the idle time less this is left when a page has loaded.
const SAVED_WITHIN_SECONDS = 60
// While the dialog is open, how often to ask again, in case another tab was used meanwhile.
const RECHECK_SECONDS = 20
// When the countdown is read out by screen readers (politely); the dialog says it when it opens.
const ANNOUNCE_AT = [60, 30, 10]
// Forms whose posts accounts/kept_form.py never keeps (signing in, passwords, authenticators).
const NEVER_KEPT = ['/accounts/']

export function warnBeforeSignOut (body) {
  const address = body.dataset.sessionUrl
  const idleSeconds = Number(body.dataset.sessionSeconds)
  const signOutForm = document.querySelector('.app-header-context form')
  const token = signOutForm?.querySelector('input[name=csrfmiddlewaretoken]')
  if (!address || !idleSeconds || !token || typeof HTMLDialogElement !== 'function') return
  new TimeoutWarning({ address, signInUrl: body.dataset.signInUrl, signOutForm, token: token.value })
    .start(idleSeconds - SAVED_WITHIN_SECONDS)
}

class TimeoutWarning {
  constructor ({ address, signInUrl, signOutForm, token }) {
    Object.assign(this, { address, signInUrl, signOutForm, token })
    this.deadline = 0 // when the page signs out, in Date.now() milliseconds
    this.timer = null
    this.ticker = null
    this.announced = new Set()
    this.closedByUs = false
    this.typedIn = null // the form last typed in and not yet sent, to be kept rather than lost
    document.addEventListener('input', (event) => this.noteTyping(event.target.form))
    document.addEventListener('submit', () => { this.typedIn = null })
  }

  start (atLeastSeconds) {
    this.later(atLeastSeconds - MARGIN_SECONDS - WARN_SECONDS, () => this.check())
  }

  later (seconds, then) {
    clearTimeout(this.timer)
    this.timer = setTimeout(then, Math.max(0, seconds) * 1000)
  }

  // The seconds left; null once the session is over; undefined when the server could not be asked.
  async ask (options = {}) {
    let response
    try {
      response = await fetch(this.address, {
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual', // a session that is over is sent to sign in: that redirect is the answer
        headers: { Accept: 'application/json', 'X-CSRFToken': this.token },
        ...options
      })
    } catch {
      return undefined
    }
    if (response.type === 'opaqueredirect') return null
    if (!response.ok) return undefined
    return (await response.json()).seconds_left
  }

  async check () {
    const left = await this.ask()
    if (left === null) return this.over()
    if (left === undefined) return this.later(RECHECK_SECONDS, () => this.check())
    this.plan(left)
  }

  plan (left) {
    this.deadline = Date.now() + (left - MARGIN_SECONDS) * 1000
    const untilWarning = left - MARGIN_SECONDS - WARN_SECONDS
    if (untilWarning > 0) {
      this.close()
      this.later(untilWarning, () => this.check())
      return
    }
    if (left - MARGIN_SECONDS > RECHECK_SECONDS) {
      this.later(RECHECK_SECONDS, () => this.check())
    } else {
      clearTimeout(this.timer) // the countdown's end asks again
    }
    this.open()
  }

  noteTyping (form) {
    // Read as attributes: a field named "action" or "method" (the pages' buttons are) hides the form's properties.
    if (!form || form.getAttribute('method')?.toLowerCase() !== 'post' || this.dialog?.contains(form)) return
    const posted = new URL(form.getAttribute('action') || '', document.baseURI).pathname
    if (NEVER_KEPT.some((prefix) => posted.startsWith(prefix))) return
    this.typedIn = form
  }

  secondsLeft () {
    return Math.max(0, Math.ceil((this.deadline - Date.now()) / 1000))
  }

  open () {
    if (!this.dialog) this.dialog = this.build()
    clearInterval(this.ticker)
    if (!this.dialog.open) {
      const seconds = this.secondsLeft() // said as the dialog opens: read out again only at the next of ANNOUNCE_AT
      this.announced = new Set(ANNOUNCE_AT.filter((at) => at >= seconds))
      this.countdown.textContent = inWords(seconds)
      this.live.textContent = ''
      this.kept.hidden = !this.typedIn // said only where it is so: a form typed in, that the server keeps
      this.closedByUs = false
      this.dialog.showModal() // moves focus to "Stay signed in"; the dialog's name and description are read
    }
    this.ticker = setInterval(() => this.tick(), 1000)
    this.tick()
  }

  close () {
    clearInterval(this.ticker)
    if (this.dialog?.open) {
      this.closedByUs = true // its close event comes later, and is then not "Stay signed in"
      this.dialog.close()
    }
  }

  tick () {
    const seconds = this.secondsLeft()
    const words = inWords(seconds)
    this.countdown.textContent = words
    const due = ANNOUNCE_AT.find((at) => seconds <= at && !this.announced.has(at))
    if (due !== undefined && seconds > 0) {
      ANNOUNCE_AT.filter((at) => at >= seconds).forEach((at) => this.announced.add(at))
      this.live.textContent = `You will be signed out in ${words}.`
    }
    if (seconds === 0) {
      clearInterval(this.ticker)
      this.timeUp()
    }
  }

  async timeUp () {
    const left = await this.ask()
    if (left === undefined) return this.later(MARGIN_SECONDS, () => this.timeUp())
    if (left === null) return this.over()
    if (left > MARGIN_SECONDS + 1) return this.plan(left) // kept alive meanwhile, in another tab
    if (this.typedIn) return this.later(left + 1, () => this.timeUp()) // posted once over, so that it is kept
    const signedOut = await this.ask({ method: 'POST', body: new URLSearchParams({ action: 'sign-out' }) })
    if (signedOut === undefined) return this.later(MARGIN_SECONDS, () => this.timeUp())
    this.toSignIn()
  }

  // The session is over: a form typed in is posted, to be refused and kept (accounts/kept_form.py); the sign-in
  // page then says so. Otherwise, to sign in, coming back here afterwards.
  over () {
    this.close()
    if (this.typedIn) {
      HTMLFormElement.prototype.submit.call(this.typedIn) // not its submit event: nothing else is to run
    } else {
      this.toSignIn()
    }
  }

  toSignIn () {
    const next = new URLSearchParams({ next: window.location.pathname + window.location.search })
    window.location.assign(`${this.signInUrl}?${next}`)
  }

  async stay () {
    const left = await this.ask({ method: 'POST', body: new URLSearchParams({ action: 'stay' }) })
    if (left === null) return this.over()
    if (left === undefined) return this.later(MARGIN_SECONDS, () => this.check())
    this.plan(left)
  }

  build () {
    const dialog = element('dialog', 'app-timeout-dialog', {
      'aria-labelledby': 'app-timeout-title',
      'aria-describedby': 'app-timeout-text'
    })
    const title = element('h2', 'govuk-heading-m', { id: 'app-timeout-title' }, 'You will be signed out soon')
    const text = element('p', 'govuk-body', { id: 'app-timeout-text' }, 'You will be signed out in ')
    this.countdown = element('strong', '', {})
    text.append(this.countdown, ' because you have not used OpenMARAC for a while.')
    this.kept = element('p', 'govuk-body', {},
      'If you are signed out, what you have typed on this page will be kept: sign in again to check and save it.')
    this.live = element('p', 'govuk-visually-hidden', { 'aria-live': 'polite' })
    const stay = element('button', 'govuk-button', { type: 'button' }, 'Stay signed in')
    const signOut = element('button', 'govuk-button govuk-button--secondary', { type: 'button' }, 'Sign out')
    const buttons = element('div', 'govuk-button-group', {})
    buttons.append(stay, signOut)
    dialog.append(title, text, this.kept, this.live, buttons)
    stay.addEventListener('click', () => this.stay())
    signOut.addEventListener('click', () => this.signOutForm.requestSubmit())
    // Escape is "Stay signed in": the browser closes the dialog (cancel), so closing it any way but ours is too.
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); this.stay() })
    dialog.addEventListener('close', () => { if (!this.closedByUs) this.stay() })
    document.body.append(dialog)
    return dialog
  }
}

function element (name, className, attributes, text = '') {
  const made = document.createElement(name)
  if (className) made.className = className
  for (const [attribute, value] of Object.entries(attributes)) made.setAttribute(attribute, value)
  made.textContent = text
  return made
}

function inWords (seconds) {
  if (seconds >= 60) {
    const minutes = Math.round(seconds / 60)
    return `${minutes} minute${minutes === 1 ? '' : 's'}`
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`
}

// The admin page (an admin finds it in the user menu, sees the users and disables one, whose
// session stops at once) and deleting one's account from the settings page. On a server of
// its own, where ADMIN_EMAILS names the admin.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ERRORS, TEAM_ERRORS } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { hydrated, launchChromium, newContext, PASSWORD, shot, signUp, uniqueEmail, type TestUser } from './support.ts'
import { axeViolations, describeViolations, isBlocking } from './a11y/axe.ts'

let browser: Browser
let server: AppServer
const adminEmail = uniqueEmail('e2e-admin')

beforeAll(async () => {
  ;[browser, server] = await Promise.all([
    launchChromium(),
    startAppServer({ emulatorUrl: inject('emulatorUrl'), env: { ADMIN_EMAILS: adminEmail } }),
  ])
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function signedIn(user: TestUser) {
  const opened = await newContext(browser)
  await opened.context.addCookies([{ name: 'neptun-session', value: user.cookie.slice(user.cookie.indexOf('=') + 1), url: server.url }])
  return opened
}

async function go(page: Page, path: string): Promise<void> {
  await page.goto(`${server.url}${path}`)
  await hydrated(page)
}

describe('the admin page', () => {
  it('is linked from the user menu for admins only, lists users and disables one at once', async () => {
    const admin = await signUp(server.url, adminEmail, PASSWORD)
    const member = await signUp(server.url, uniqueEmail('e2e-member'), PASSWORD)

    // A member's menu has no admin link.
    const plain = await signedIn(member)
    try {
      await go(plain.page, '/')
      await plain.page.getByTestId('user-menu').click()
      await plain.page.getByRole('menu').waitFor()
      expect(await plain.page.getByText('Admin', { exact: true }).count()).toBe(0)
    }
    finally {
      await plain.context.close()
    }

    const { context, page, pageErrors } = await signedIn(admin)
    try {
      await go(page, '/')
      await page.getByTestId('user-menu').click()
      await page.getByRole('menuitem', { name: 'Admin' }).click()
      await page.waitForURL(`${server.url}/admin`)
      const row = page.locator(`[data-testid=admin-user-row][data-email="${member.email}"]`)
      await row.waitFor()
      expect(await page.locator(`[data-testid=admin-user-row][data-email="${admin.email}"]`).count()).toBe(1)
      expect(await row.getAttribute('data-disabled')).toBe('false')

      await row.getByTestId('admin-user-actions').click()
      await page.getByRole('menuitem', { name: 'Disable' }).click()
      await page.locator(`[data-testid=admin-user-row][data-email="${member.email}"][data-disabled=true]`).waitFor()
      await page.locator('[data-testid=audit-row][data-action="user.disable"]').waitFor()
      await shot(page, 'admin-page')

      const refused = await member.fetch('/api/chats')
      expect(refused.status).toBe(403)
      expect(await refused.json()).toEqual({ statusCode: 403, statusMessage: TEAM_ERRORS.accountDisabled })

      const blocking = (await axeViolations(page)).filter(isBlocking)
      expect(blocking, describeViolations(blocking)).toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

describe('deleting my account in the settings', () => {
  it('offers the export first, then deletes the account after confirmation and leaves the cookie dead', async () => {
    const user = await signUp(server.url, uniqueEmail('e2e-leaving'), PASSWORD)
    await user.createChat('to be deleted')
    const { context, page, pageErrors } = await signedIn(user)
    try {
      await go(page, '/settings')
      const exportLink = page.getByTestId('account-export')
      await exportLink.waitFor()
      const deleteSection = page.getByTestId('account-delete')
      // The export comes before the deletion on the page.
      const [exportBox, deleteBox] = await Promise.all([exportLink.boundingBox(), deleteSection.boundingBox()])
      expect(exportBox!.y).toBeLessThan(deleteBox!.y)
      const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()])
      expect(download.suggestedFilename()).toBe(`neptun-chat-export-${user.id}.json`)

      // A wrong password is refused on the page, and nothing is deleted.
      await page.getByTestId('account-delete-password').fill('not my password')
      await page.getByTestId('account-delete-start').click()
      await page.getByTestId('account-delete-confirm').click()
      await page.getByTestId('account-delete-error').waitFor()
      expect((await user.fetch('/api/chats')).status).toBe(200)

      await page.getByTestId('account-delete-password').fill(PASSWORD)
      await page.getByTestId('account-delete-start').click()
      await page.getByTestId('account-delete-confirm').click()
      await page.waitForURL(/\/login/)
      const gone = await user.fetch('/api/chats')
      expect(gone.status).toBe(401)
      expect(await gone.json()).toEqual({ statusCode: 401, statusMessage: ERRORS.unauthorized })
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

describe('the sign-up page in invite mode', () => {
  let invited: AppServer
  const inviteAdmin = uniqueEmail('e2e-invite-admin')
  beforeAll(async () => {
    invited = await startAppServer({ emulatorUrl: inject('emulatorUrl'), env: { SIGNUP_MODE: 'invite', ADMIN_EMAILS: inviteAdmin } })
  })
  afterAll(async () => invited?.stop())

  it('says sign-up needs an invite, and signs up through an invite link', async () => {
    const admin = await signUp(invited.url, inviteAdmin, PASSWORD)
    const created = await admin.fetch('/api/admin/invites', { method: 'POST', body: {} })
    expect(created.status).toBe(201)
    const link = new URL((await created.json() as { url: string }).url)
    const { context, page, pageErrors } = await newContext(browser)
    try {
      await page.goto(`${invited.url}/signup`)
      await hydrated(page)
      await page.locator('[data-testid=signup-mode][data-mode=invite]').waitFor()

      await page.goto(`${invited.url}${link.pathname}${link.search}`)
      await hydrated(page)
      await page.locator('[data-testid=signup-mode]').waitFor()
      await page.getByTestId('email-input').fill(uniqueEmail('e2e-invited'))
      await page.getByTestId('password-input').fill(PASSWORD)
      await page.getByTestId('auth-submit').click()
      await page.waitForURL(`${invited.url}/`)
      await page.getByTestId('composer-input').waitFor()
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

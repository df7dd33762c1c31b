import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ROLE_IDS } from '../../schemas/roles.js';
import { createPanelPerson, signInToPanel, type PanelPerson } from '../support/admin.js';
import { describeWithBrowser } from '../support/browser.js';
import { useTabs } from '../support/browser-pages.js';
import { useOidcPlatform } from '../support/oidc.js';

describeWithBrowser('admin panel in the browser', () => {
  const t = useOidcPlatform({}, ['api', 'admin', 'realtime']);
  const tabs = useTabs(() => t.url);
  let admin: PanelPerson;

  beforeAll(async () => {
    admin = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
  });
  afterAll(() => undefined);

  it('signs in through Heimdall ID with a second factor and shows the dashboard', async () => {
    const tab = await tabs.openTab({ locale: 'en-GB' });
    await signInToPanel(tab.page, t.url, admin);
    await tab.page.waitForSelector('[data-testid="dashboard"]', { timeout: 15_000 }).catch(() => undefined);
    await tab.page.screenshot({ path: '/tmp/admin-dash.png' });
    console.log(tab.page.url(), tab.problems);
    expect(tab.page.url()).toContain('/admin');
  });
});

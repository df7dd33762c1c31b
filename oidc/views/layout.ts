import { createHash } from 'node:crypto';
import { html, SafeHtml } from '../../core/shared/html.js';
import { policyFooter } from './policy-footer.js';

/**
 * The frame of every Heimdall ID page: one column that fits a phone, system fonts, visible focus, no external
 * resources (the Content-Security-Policy set by the interaction router allows none), the policy links at the foot.
 */
const STYLE = `
:root{color-scheme:light dark;--accent:#3451b2;--danger:#b42318;--muted:#667085;--border:#d0d5dd}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
display:flex;flex-direction:column;min-height:100vh;align-items:center;padding:2rem 1rem}
main{width:100%;max-width:24rem}h1{font-size:1.5rem;margin:0 0 .25rem}p.lead{color:var(--muted);margin:0 0 1.5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{width:100%;font:inherit;padding:.6rem .75rem;
border:1px solid var(--border);border-radius:.5rem}
button{font:inherit;font-weight:600;width:100%;padding:.7rem;margin-top:1.25rem;border-radius:.5rem;border:1px solid var(--accent);
background:var(--accent);color:#fff;cursor:pointer}button.secondary{background:transparent;color:inherit;border-color:var(--border);margin-top:.5rem}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{border-left:4px solid var(--danger);padding:.5rem .75rem;margin:1rem 0;background:rgba(180,35,24,.08)}
ul.scopes{padding-left:1.25rem}ul.scopes li{margin:.35rem 0}.app{display:flex;gap:.75rem;align-items:center;margin-bottom:1rem}
.app img{width:48px;height:48px;border-radius:.5rem}
p.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0}p.field-error{color:var(--danger);font-size:.875rem;margin:.25rem 0}
p.check{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}p.check label{font-weight:400;margin:0}
header.area{display:flex;justify-content:space-between;align-items:center;gap:1rem}header.area p{margin:0;color:var(--muted)}
header.area button{width:auto;margin:0;padding:.4rem .8rem}ul.nav{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:1rem 0}
ul.nav a[aria-current=page]{font-weight:700}ul.cards{list-style:none;padding:0}li.card{border:1px solid var(--border);border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
li.card p{margin:.25rem 0}.badge{font-size:.75rem;border:1px solid var(--accent);border-radius:1rem;padding:0 .5rem}
p.notice{border-left:4px solid var(--accent);padding:.5rem .75rem}select{font:inherit;padding:.5rem;width:100%}.code{font:600 1.5rem/1 ui-monospace,monospace;letter-spacing:.1em;text-align:center}
p.divider{text-align:center;color:var(--muted);margin:1.25rem 0 .25rem}.social form button{margin-top:.5rem}
footer{width:100%;max-width:24rem;margin-top:auto;padding-top:2rem;font-size:.875rem}
ul.policies{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;justify-content:center;gap:.25rem 1rem}
ul.policies a{color:var(--muted)}article.policy{overflow-wrap:anywhere}article.policy h2{font-size:1.15rem;margin:1.5rem 0 .25rem}
article.policy table{border-collapse:collapse;width:100%;font-size:.875rem}article.policy th,article.policy td{border:1px solid var(--border);padding:.25rem .4rem;text-align:left;vertical-align:top}
article.policy pre{overflow-x:auto}p.langs{margin:0 0 1rem;font-size:.875rem}
`;

const STYLE_HTML = new SafeHtml(STYLE);

/** The Content-Security-Policy of every page: nothing loads from elsewhere; the one inline style by hash. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  'img-src https: data:',
  "form-action 'self' http: https:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function page(options: { title: string; body: SafeHtml; lang?: string }): string {
  // prettier-ignore: the <style> content must stay byte-identical to STYLE, whose hash PAGE_CSP allows.
  // prettier-ignore
  return html`<!doctype html>
<html lang="${options.lang ?? 'en'}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${options.title} · Heimdall ID</title>
    <style>${STYLE_HTML}</style>
  </head>
  <body>
    <main>${options.body}</main>
    ${policyFooter(options.lang)}
  </body>
</html>`.value;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, jsonForHtml, trustedHtml } from './html.ts';

test('interpolated text is escaped, including quotes for attributes', () => {
  const name = `<script>alert("x")</script>'`;
  assert.equal(
    html`<p title="${name}">${name}</p>`.value,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;</p>',
  );
});

test('nested templates and arrays are kept, null and false render nothing', () => {
  const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
  assert.equal(html`<ul>${items}${null}${false}${undefined}</ul>`.value, '<ul><li>a&lt;b</li><li>c</li></ul>');
  assert.equal(html`${0}`.value, '0');
});

test('only trustedHtml bypasses escaping', () => {
  assert.equal(html`${trustedHtml('<svg></svg>')}`.value, '<svg></svg>');
  assert.equal(html`${'<svg></svg>'}`.value, '&lt;svg&gt;&lt;/svg&gt;');
});

test('JSON for HTML cannot close a script element', () => {
  assert.ok(!jsonForHtml({ a: '</script><script>' }).includes('<'));
});

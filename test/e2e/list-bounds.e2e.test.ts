/**
 * The root lists that are not connections are bounded too: API keys page with first and
 * after (a carrier may hold a key per customer portal), customer classes and templates
 * are configuration whose count is capped at creation (so listing them whole is bounded),
 * and setCustomerStatus takes at most a page of ids.
 */
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { startTestServer, type TestServer } from '../helpers/test-server';

const doc = <T>(query: string) => parse(query) as TypedDocumentNode<T, Record<string, unknown>>;

const API_KEYS = doc<{ apiKeys: { id: string; name: string }[] }>(`query Keys($first: Int, $after: ID) { apiKeys(first: $first, after: $after) { id name } }`);
const CREATE_KEY = doc<{ createApiKey: { apiKey: { id: string } } }>(`mutation Key($name: String!) { createApiKey(name: $name, role: NOC) { apiKey { id } } }`);
const CREATE_CLASS = doc<{ createCustomerClass: { id: string } }>(`mutation Class($name: String!) { createCustomerClass(input: { name: $name }) { id } }`);
const CLASSES = doc<{ customerClasses: { id: string }[] }>(`{ customerClasses { id } }`);
const CREATE_TEMPLATE = doc<{ createNotificationTemplate: { id: string } }>(`mutation Template($name: String!) { createNotificationTemplate(input: { name: $name, messages: [] }) { id } }`);
const TEMPLATES = doc<{ notificationTemplates: { id: string }[] }>(`{ notificationTemplates { id } }`);
const SET_STATUS = doc<{ setCustomerStatus: { id: string }[] }>(`mutation Status($ids: [ID!]!) { setCustomerStatus(ids: $ids, status: INACTIVE) { id } }`);

describe('bounded root lists', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });


  it('pages API keys in creation order with first and after', async () => {
    const http = server.http();
    for (const name of ['noc-a', 'noc-b', 'noc-c']) await http.data(CREATE_KEY, { name });
    const all = (await http.data(API_KEYS, {})).apiKeys;
    expect(all.map((k) => k.name)).toEqual(['admin (ADMIN_API_KEY)', 'noc-a', 'noc-b', 'noc-c']);
    const first = (await http.data(API_KEYS, { first: 2 })).apiKeys;
    expect(first).toEqual(all.slice(0, 2));
    const rest = (await http.data(API_KEYS, { first: 2, after: first[1].id })).apiKeys;
    expect(rest).toEqual(all.slice(2));
    expect((await http.data(API_KEYS, { after: all[3].id })).apiKeys).toEqual([]);
    expect(await http.errorCode(API_KEYS, { first: 501 })).toBe('BAD_USER_INPUT');
    expect(await http.errorCode(API_KEYS, { after: 'cus_nope' })).toBe('NOT_FOUND');
  });

  it('caps how many customer classes and templates can exist, so their lists are bounded', async () => {
    const http = server.http();
    // 499 made directly, the 500th and 501st through the API: the cap counts every row.
    await server.app.services.db.query(`INSERT INTO customer_classes (name) SELECT 'class ' || g FROM generate_series(1, 499) g`);
    await server.app.services.db.query(`INSERT INTO notification_templates (name) SELECT 'template ' || g FROM generate_series(1, 499) g`);
    await http.data(CREATE_CLASS, { name: 'the 500th class' });
    await http.data(CREATE_TEMPLATE, { name: 'the 500th template' });
    const overClass = await http.request(CREATE_CLASS, { name: 'one too many' });
    expect(overClass.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', max: 500 });
    const overTemplate = await http.request(CREATE_TEMPLATE, { name: 'one too many' });
    expect(overTemplate.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', max: 500 });
    expect((await http.data(CLASSES)).customerClasses).toHaveLength(500);
    expect((await http.data(TEMPLATES)).notificationTemplates).toHaveLength(500);
  });

  it('takes at most a page of ids in setCustomerStatus, changing nothing beyond it', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => `cus_${String(i).padStart(8, '0')}`);
    const r = await server.http().request(SET_STATUS, { ids });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
  });
});

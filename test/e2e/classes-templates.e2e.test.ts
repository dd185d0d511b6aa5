import {
  CreateApiKeyDocument,
  CreateCustomerClassDocument,
  CreateCustomerDocument,
  CreateNotificationTemplateDocument,
  CustomerClassDocument,
  CustomerClassesDocument,
  DeleteCustomerClassDocument,
  DeleteNotificationTemplateDocument,
  NodeByIdDocument,
  NotificationTemplatesDocument,
  UpdateCustomerClassDocument,
  UpdateNotificationTemplateDocument,
} from '../generated/graphql';
import { ACCOUNT_TABLES, tableDigest } from '../helpers/db-state';
import { startTestServer, type TestServer } from '../helpers/test-server';

const MISSING_TPL = 'tpl_00000000-0000-4000-8000-000000000000';
const MISSING_CLS = 'cls_00000000-0000-4000-8000-000000000000';

describe('notification templates and customer classes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  it('stores a template with its Handlebars messages and normalised BCCs', async () => {
    const { createNotificationTemplate: tpl } = await server.http().data(CreateNotificationTemplateDocument, {
      input: {
        name: 'Default',
        messages: [
          { kind: 'LOW_BALANCE', subject: 'Low balance for {{customer.name}}', body: 'Balance {{balance}}\n{{#if note}}{{note}}{{/if}}', bcc: [' noc@carrier.test ', ''] },
          { kind: 'WELCOME', subject: 'Welcome', body: 'Hello {{customer.name}}' },
        ],
      },
    });
    expect(tpl.id).toMatch(/^tpl_/);
    expect(tpl.messages).toEqual([
      { kind: 'LOW_BALANCE', subject: 'Low balance for {{customer.name}}', body: 'Balance {{balance}}\n{{#if note}}{{note}}{{/if}}', bcc: ['noc@carrier.test'] },
      { kind: 'WELCOME', subject: 'Welcome', body: 'Hello {{customer.name}}', bcc: [] },
    ]);
    const list = await server.http().data(NotificationTemplatesDocument);
    expect(list.notificationTemplates.map((t) => t.name)).toEqual(['Default']);
  });

  it('refuses invalid Handlebars naming the kind and the line, duplicate kinds and names, and changes nothing', async () => {
    const before = await tableDigest(server, ACCOUNT_TABLES);
    const bad = await server.http().request(CreateNotificationTemplateDocument, {
      input: { name: 'Broken', messages: [{ kind: 'PAYMENT_RECEIVED', subject: 'ok', body: 'line one\nline two {{amount' }] },
    });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'PAYMENT_RECEIVED', part: 'body', line: 2 });
    expect(bad.errors?.[0].message).toContain('PAYMENT_RECEIVED body');
    expect(bad.errors?.[0].message).toContain('line 2');
    const badBlock = await server.http().request(CreateNotificationTemplateDocument, {
      input: { name: 'Broken', messages: [{ kind: 'ALERT', subject: '{{#each items}}x{{/if}}', body: 'b' }] },
    });
    expect(badBlock.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT', part: 'subject', line: 1 });
    const badBcc = await server.http().request(CreateNotificationTemplateDocument, {
      input: { name: 'Broken', messages: [{ kind: 'ALERT', subject: 's', body: 'b', bcc: ['ok@x.test', '{{oops'] }] },
    });
    expect(badBcc.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT', part: 'bcc[1]' });
    const dup = await server.http().request(CreateNotificationTemplateDocument, {
      input: { name: 'Dup', messages: [{ kind: 'ALERT', subject: 's', body: 'b' }, { kind: 'ALERT', subject: 's2', body: 'b2' }] },
    });
    expect(dup.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT' });
    expect(await server.http().errorCode(CreateNotificationTemplateDocument, { input: { name: 'default', messages: [] } })).toBe('CONFLICT');
    expect(await server.http().errorCode(CreateNotificationTemplateDocument, { input: { name: '   ', messages: [] } })).toBe('BAD_USER_INPUT');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
  });

  it('updates a template, refusing invalid content and unknown ids without change', async () => {
    const { createNotificationTemplate: tpl } = await server.http().data(CreateNotificationTemplateDocument, { input: { name: 'Second', messages: [] } });
    const { updateNotificationTemplate: updated } = await server.http().data(UpdateNotificationTemplateDocument, {
      id: tpl.id,
      input: { name: 'Second v2', messages: [{ kind: 'TRUNK_UPDATED', subject: 'Trunk {{trunk.name}} changed', body: '{{trunk.name}}' }] },
    });
    expect(updated).toMatchObject({ id: tpl.id, name: 'Second v2', messages: [{ kind: 'TRUNK_UPDATED', subject: 'Trunk {{trunk.name}} changed', bcc: [] }] });
    const before = await tableDigest(server, ACCOUNT_TABLES);
    expect(await server.http().errorCode(UpdateNotificationTemplateDocument, { id: tpl.id, input: { name: 'x', messages: [{ kind: 'ALERT', subject: '{{', body: '' }] } })).toBe('BAD_USER_INPUT');
    expect(await server.http().errorCode(UpdateNotificationTemplateDocument, { id: tpl.id, input: { name: 'Default', messages: [] } })).toBe('CONFLICT');
    expect(await server.http().errorCode(UpdateNotificationTemplateDocument, { id: MISSING_TPL, input: { name: 'z', messages: [] } })).toBe('NOT_FOUND');
    expect(await server.http().errorCode(UpdateNotificationTemplateDocument, { id: 'tpl_garbage', input: { name: 'z', messages: [] } })).toBe('NOT_FOUND');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
  });

  it('creates, reads and updates classes with their template, defaults and notifications', async () => {
    const tplId = (await server.http().data(NotificationTemplatesDocument)).notificationTemplates.find((t) => t.name === 'Default')!.id;
    const { createCustomerClass: cls } = await server.http().data(CreateCustomerClassDocument, {
      input: {
        name: 'Wholesale',
        description: 'Carriers buying in bulk',
        notificationTemplateId: tplId,
        enabledNotifications: ['LOW_BALANCE', 'WELCOME', 'LOW_BALANCE'],
        defaultTerms: 'POSTPAID',
        defaultCreditLimit: '1500.25',
        defaultCallLimit: 200,
        defaultCpsLimit: 20,
      },
    });
    expect(cls).toMatchObject({
      name: 'Wholesale',
      description: 'Carriers buying in bulk',
      enabledNotifications: ['LOW_BALANCE', 'WELCOME'],
      defaultTerms: 'POSTPAID',
      defaultCreditLimit: '1500.25',
      defaultCallLimit: 200,
      defaultCpsLimit: 20,
      customerCount: 0,
      notificationTemplate: { id: tplId, name: 'Default' },
    });
    // Partial update: fields left out stay, explicit null clears.
    const { updateCustomerClass: upd } = await server.http().data(UpdateCustomerClassDocument, {
      id: cls.id,
      input: { name: 'Wholesale A', defaultCpsLimit: null, notificationTemplateId: null },
    });
    expect(upd).toMatchObject({ name: 'Wholesale A', description: 'Carriers buying in bulk', defaultCallLimit: 200, defaultCpsLimit: null, notificationTemplate: null });
    const { customerClasses } = await server.http().data(CustomerClassesDocument);
    expect(customerClasses.map((c) => c.name)).toEqual(['Wholesale A']);
    expect((await server.http().data(NodeByIdDocument, { id: cls.id })).node).toEqual({ id: cls.id, __typename: 'CustomerClass' });
  });

  it('refuses bad class input (negative defaults, unknown template, duplicate name) without change', async () => {
    const before = await tableDigest(server, ACCOUNT_TABLES);
    const admin = server.http();
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'Neg', defaultCallLimit: -1 } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'Neg', defaultCreditLimit: '-5' } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'Neg', defaultCreditLimit: '1e5' } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'Tpl', notificationTemplateId: MISSING_TPL } })).toBe('NOT_FOUND');
    // An empty id names no template (it reached the uuid column as '' before: INTERNAL_SERVER_ERROR).
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'Tpl', notificationTemplateId: '' } })).toBe('NOT_FOUND');
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: 'wholesale a' } })).toBe('CONFLICT');
    expect(await admin.errorCode(CreateCustomerClassDocument, { input: { name: '' } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(UpdateCustomerClassDocument, { id: MISSING_CLS, input: { name: 'x' } })).toBe('NOT_FOUND');
    expect(await admin.errorCode(DeleteCustomerClassDocument, { id: MISSING_CLS })).toBe('NOT_FOUND');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
  });

  it('counts and pages a class\'s customers; deleting a used class or template is a CONFLICT', async () => {
    const admin = server.http();
    const { customerClasses } = await admin.data(CustomerClassesDocument);
    const cls = customerClasses[0];
    for (const name of ['C1', 'C2', 'C3']) await admin.data(CreateCustomerDocument, { input: { name, customerClassId: cls.id } });
    await admin.data(CreateCustomerDocument, { input: { name: 'Classless' } });
    const page1 = await admin.data(CustomerClassDocument, { id: cls.id, first: 2 });
    expect(page1.customerClass?.customerCount).toBe(3);
    expect(page1.customerClass?.customers.totalCount).toBe(3);
    expect(page1.customerClass?.customers.nodes.map((c) => c.name)).toEqual(['C1', 'C2']);
    const page2 = await admin.data(CustomerClassDocument, { id: cls.id, first: 2, after: page1.customerClass?.customers.pageInfo.endCursor });
    expect(page2.customerClass?.customers.nodes.map((c) => c.name)).toEqual(['C3']);
    expect(page2.customerClass?.customers.pageInfo.hasNextPage).toBe(false);

    const before = await tableDigest(server, ACCOUNT_TABLES);
    const del = await admin.request(DeleteCustomerClassDocument, { id: cls.id });
    expect(del.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(del.errors?.[0].message).toContain('3 customer');
    const tplId = (await admin.data(NotificationTemplatesDocument)).notificationTemplates.find((t) => t.name === 'Default')!.id;
    const { createCustomerClass: user } = await admin.data(CreateCustomerClassDocument, { input: { name: 'Uses template', notificationTemplateId: tplId } });
    const before2 = await tableDigest(server, ACCOUNT_TABLES);
    const tplDel = await admin.request(DeleteNotificationTemplateDocument, { id: tplId });
    expect(tplDel.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(tplDel.errors?.[0].message).toContain('Uses template');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before2);
    expect(before.customer_classes).not.toEqual(before2.customer_classes);

    expect(await admin.data(DeleteCustomerClassDocument, { id: user.id })).toEqual({ deleteCustomerClass: true });
    expect(await admin.data(DeleteNotificationTemplateDocument, { id: tplId })).toEqual({ deleteNotificationTemplate: true });
    expect(await admin.errorCode(DeleteNotificationTemplateDocument, { id: tplId })).toBe('NOT_FOUND');
  });

  it('lets ADMIN write, NOC read, and refuses CUSTOMER and INGEST keys', async () => {
    const admin = server.http();
    const keyOf = async (role: 'NOC' | 'INGEST' | 'CUSTOMER', customerId?: string) =>
      (await admin.data(CreateApiKeyDocument, { name: `k-${role}`, role, customerId })).createApiKey.secret;
    const noc = server.http(await keyOf('NOC'));
    expect((await noc.data(CustomerClassesDocument)).customerClasses.length).toBeGreaterThan(0);
    expect((await noc.data(NotificationTemplatesDocument)).notificationTemplates.length).toBeGreaterThan(0);
    expect(await noc.errorCode(CreateCustomerClassDocument, { input: { name: 'nope' } })).toBe('FORBIDDEN');
    expect(await noc.errorCode(CreateNotificationTemplateDocument, { input: { name: 'nope', messages: [] } })).toBe('FORBIDDEN');
    const ingest = server.http(await keyOf('INGEST'));
    expect(await ingest.errorCode(CustomerClassesDocument)).toBe('FORBIDDEN');
    expect(await ingest.errorCode(NotificationTemplatesDocument)).toBe('FORBIDDEN');
    const { createCustomer } = await admin.data(CreateCustomerDocument, { input: { name: 'Portal user' } });
    const customer = server.http(await keyOf('CUSTOMER', createCustomer.id));
    expect(await customer.errorCode(CustomerClassesDocument)).toBe('FORBIDDEN');
    expect(await customer.errorCode(DeleteCustomerClassDocument, { id: MISSING_CLS })).toBe('FORBIDDEN');
  });
});

/**
 * The operator settings: read (by the API and, inside their transactions, by the modules
 * that send alert messages and status webhooks) and updated as one row.
 */
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { SqlParams, type Queryable } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import { AddressPolicy } from '../../platform/http/outbound-http';
import type { SettingsInput } from './settings.inputs';
import { SETTINGS_COLUMNS, SettingsType, type SettingsRow } from './settings.type';
import { settingsColumns, type SettingsRules } from './settings.validation';

/** The settings row, on the pool or in the caller's transaction. */
export async function currentSettings(q: Queryable): Promise<SettingsRow> {
  const [row] = await q.query<SettingsRow>(`SELECT ${SETTINGS_COLUMNS} FROM settings s`);
  if (!row) throw new Error('the settings row is missing: run the migrations');
  return row;
}

export class SettingsService {
  private readonly rules: SettingsRules;

  constructor(
    private readonly db: Database,
    config: Pick<Config, 'maxRuleRecipients' | 'outboundAllowCidrs'>,
  ) {
    this.rules = { maxRecipients: config.maxRuleRecipients, policy: new AddressPolicy(config.outboundAllowCidrs) };
  }

  async get(_ctx: RequestContext): Promise<SettingsType> {
    return SettingsType.from(await currentSettings(this.db));
  }

  /** Validates every field first; one UPDATE writes the given ones (nothing given: only updatedAt moves). */
  async update(_ctx: RequestContext, input: SettingsInput): Promise<SettingsType> {
    const values = settingsColumns(input, this.rules);
    const q = new SqlParams();
    const [row] = await this.db.query<SettingsRow>(`UPDATE settings s SET ${q.assignments(values, ['updated_at = now()'])} RETURNING ${SETTINGS_COLUMNS}`, q.params);
    if (!row) throw new Error('the settings row is missing: run the migrations');
    return SettingsType.from(row);
  }
}

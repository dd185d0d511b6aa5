import { applyEvent, applyEvents, EMPTY_BOARD, grouped, loaded, ordered, type Incident } from './board-state';

const NOW = Date.parse('2026-12-02T12:00:00Z');

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    status: 'OPEN',
    openedAt: `2026-12-02T11:${id.padStart(2, '0')}:00Z`,
    openedValue: '-1',
    lastValue: '-1',
    acknowledgedAt: null,
    acknowledgedBy: null,
    assignee: null,
    snoozedUntil: null,
    resolvedAt: null,
    definition: { id: 'd1', title: 'Negative', area: 'BALANCE', operator: 'LT', threshold: '0' },
    customer: { id: `c${id}`, name: `Customer ${id}`, customerClass: { id: 'k1', name: 'Gold' } },
    ...over,
  };
}

describe('incident board state', () => {
  it('applies each event as an upsert of the incident it carries: replaying events leaves the same board', () => {
    const events = [
      { kind: 'TRIGGERED', incident: incident('1') },
      { kind: 'TRIGGERED', incident: incident('2') },
      { kind: 'ACKNOWLEDGED', incident: incident('1', { status: 'ACKNOWLEDGED', acknowledgedBy: 'alice' }) },
      { kind: 'RESOLVED', incident: incident('2', { status: 'RESOLVED' }) },
    ];
    const once = events.reduce(applyEvent, EMPTY_BOARD);
    const twice = [...events, ...events.slice(1)].reduce(applyEvent, once);
    expect([...once.incidents.values()]).toEqual([incident('1', { status: 'ACKNOWLEDGED', acknowledgedBy: 'alice' })]);
    expect(twice.incidents).toEqual(once.incidents);
    // An acknowledged incident no longer needs to catch an eye; a resolved one is gone.
    expect([...once.fresh]).toEqual([]);
    // A burst applied at once is the same as one event at a time.
    expect(applyEvents(EMPTY_BOARD, events)).toEqual(once);
  });

  it('marks incidents that open live as fresh, not those loaded with the board or seen again', () => {
    const board = loaded([incident('1')]);
    const next = applyEvent(applyEvent(board, { kind: 'TRIGGERED', incident: incident('1') }), { kind: 'TRIGGERED', incident: incident('2') });
    expect([...next.fresh]).toEqual(['2']);
  });

  it('a TRIGGERED replayed after the incident resolved does not bring it back', () => {
    const board = applyEvent(EMPTY_BOARD, { kind: 'TRIGGERED', incident: incident('3', { status: 'RESOLVED' }) });
    expect(board.incidents.size).toBe(0);
  });

  it('orders open first, then snoozed, then acknowledged, newest first within each, and filters', () => {
    const list = [
      incident('1'),
      incident('2', { status: 'ACKNOWLEDGED' }),
      incident('3', { snoozedUntil: '2026-12-02T13:00:00Z' }),
      incident('4'),
      incident('5', { snoozedUntil: '2026-12-02T11:59:00Z' }), // its snooze is over: open again
      incident('6', { definition: { id: 'd2', title: 'ASR', area: 'ASR', operator: 'LT', threshold: '20' }, customer: { id: 'c6', name: 'Other', customerClass: null } }),
    ];
    const all = ordered(list, { customer: '', classId: '', area: '' }, NOW);
    expect(all.map((i) => i.id)).toEqual(['6', '5', '4', '1', '3', '2']);
    expect(ordered(list, { customer: '', classId: '', area: 'ASR' }, NOW).map((i) => i.id)).toEqual(['6']);
    expect(ordered(list, { customer: 'customer 4', classId: '', area: '' }, NOW).map((i) => i.id)).toEqual(['4']);
    expect(ordered(list, { customer: '', classId: 'k1', area: '' }, NOW)).toHaveLength(5);
    expect(grouped(all, 'none', NOW).map((g) => [g.label, g.incidents.length])).toEqual([
      ['Open', 4],
      ['Snoozed', 1],
      ['Acknowledged', 1],
    ]);
    expect(grouped(all, 'class', NOW).map((g) => g.label)).toEqual(['No class', 'Gold']);
  });
});

// The page's transactions, newest first: stage, block, decoded events, failure in words.

import type { TxEntry } from '../txlog.ts';

const STAGE_TEXT: Record<TxEntry['stage'], string> = {
  signing: 'waiting for signature',
  pending: 'pending in the pool',
  inBlock: 'in block',
  finalized: 'finalized',
  failed: 'failed'
};

export function TxPanel ({ entries }: { entries: TxEntry[] }) {
  return (
    <section class="panel txs" aria-labelledby="txs-title">
      <h2 id="txs-title">Transactions</h2>
      {entries.length === 0 && <p class="muted">Transactions you send from this page appear here.</p>}
      <ol class="tx-list" aria-live="polite" data-testid="tx-list">
        {entries.map((entry) => (
          <li key={entry.id} class={`tx ${entry.stage}`} data-testid="tx" data-stage={entry.stage} data-block-hash={entry.blockHash}>
            <div class="tx-head">
              <strong>{entry.label}</strong>
              <span class={`stage ${entry.stage}`} data-testid="tx-stage">{STAGE_TEXT[entry.stage]}{entry.blockNumber !== undefined ? ` · #${entry.blockNumber}` : ''}</span>
            </div>
            {entry.error && <p class="notice bad" data-testid="tx-error">{entry.error}</p>}
            {entry.events.length > 0 && (
              <details>
                <summary>{entry.events.length} event{entry.events.length === 1 ? '' : 's'}: {entry.events.map((event) => event.name).join(', ')}</summary>
                <ul class="events">
                  {entry.events.map((event, index) => (
                    <li key={index} data-testid="tx-event" data-name={event.name}>
                      <code>{event.name}</code>{' '}
                      {event.fields.map((field) => (
                        <span key={field.name} class="event-field" data-field={field.name} data-raw={field.raw}>{field.name}: {field.value}</span>
                      ))}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

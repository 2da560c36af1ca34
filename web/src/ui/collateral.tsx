// Collateral: what the wallet holds (the collateral token and FLOOR for transaction fees),
// what is deposited, what backs positions, and what can be withdrawn; deposit and withdraw.

import { useState } from 'preact/hooks';

import type { AccountView } from '../chain.ts';
import { formatPercent, formatSigned, formatUnits, parseUnits, toDecimalText } from '../format.ts';
import type { AppContext } from './context.ts';
import { Figure, toneOf } from './common.tsx';

export function Collateral ({ ctx, account }: { ctx: AppContext, account: AccountView | null }) {
  const [amount, setAmount] = useState('10');
  const [sending, setSending] = useState<'deposit' | 'withdraw' | null>(null);
  const { native, collateral } = ctx.info;
  if (ctx.account === null || account === null) {
    return <section class="panel collateral" aria-labelledby="collateral-title"><h2 id="collateral-title">Collateral</h2><p class="muted">Choose an account.</p></section>;
  }
  const summary = account.summary;
  const parsed = parseUnits(amount, collateral.decimals);
  const value = parsed.ok ? parsed.value : 0n;
  const withdrawable = summary?.withdrawable.toBigInt() ?? 0n;
  const deposited = summary?.collateral.toBigInt() ?? 0n;
  const depositProblem = !parsed.ok ? parsed.error : value === 0n ? 'enter an amount above zero' : value > account.collateralFree ? `your wallet holds ${formatUnits(account.collateralFree, collateral.decimals, 4)} ${collateral.symbol}` : null;
  const withdrawProblem = !parsed.ok ? parsed.error : value === 0n ? 'enter an amount above zero' : value > withdrawable ? `at most ${formatUnits(withdrawable, 18, 4)} is free to withdraw` : null;
  const signer = ctx.account.signer;

  const run = async (kind: 'deposit' | 'withdraw'): Promise<void> => {
    setSending(kind);
    try {
      const tx = kind === 'deposit' ? ctx.api.tx.perp.deposit(value) : ctx.api.tx.perp.withdraw(value);
      await ctx.txlog.run(ctx.api, `${kind === 'deposit' ? 'Deposit' : 'Withdraw'} ${formatUnits(value, 18, 4)} ${collateral.symbol}`, tx, signer);
    } finally {
      setSending(null);
    }
  };

  return (
    <section class="panel collateral" aria-labelledby="collateral-title" data-testid="collateral">
      <h2 id="collateral-title">Collateral</h2>
      <dl class="figures compact">
        {collateral.kind === 'asset' && (
          <Figure label={`Wallet ${collateral.symbol}`} value={formatUnits(account.collateralFree, collateral.decimals, 4)} raw={account.collateralFree} testId="wallet-collateral" />
        )}
        <Figure label={`Wallet ${native.symbol}${collateral.kind === 'asset' ? ' (fees)' : ''}`} value={formatUnits(account.nativeFree, native.decimals, 4)} raw={account.nativeFree} testId="wallet-native" />
        <Figure label="Deposited, free" value={formatUnits(deposited, 18, 4)} raw={deposited} testId="collateral-deposited" />
        <Figure label="Withdrawable" value={formatUnits(withdrawable, 18, 4)} raw={withdrawable} testId="collateral-withdrawable" />
        <Figure label="In positions (margin)" value={formatUnits(summary?.totalMargin.toBigInt() ?? 0n, 18, 4)} raw={summary?.totalMargin.toBigInt()} testId="collateral-margin" />
        <Figure label="Unrealised PnL" value={formatSigned(summary?.unrealizedPnl.toBigInt() ?? 0n, 18, 6)} tone={toneOf(summary?.unrealizedPnl.toBigInt() ?? 0n)} raw={summary?.unrealizedPnl.toBigInt()} />
        {(summary?.debt.toBigInt() ?? 0n) > 0n && (
          <Figure label="Cross debt (repaid on the last cross close)" value={formatUnits(summary!.debt.toBigInt(), 18, 6)} raw={summary!.debt.toBigInt()} tone="warn" />
        )}
        <Figure label="Cross MR" value={summary?.marginRatio.isSome ? formatPercent(summary.marginRatio.unwrap().toBigInt()) : 'no cross positions'} />
      </dl>
      {account.summaryError && <p class="notice bad">{account.summaryError}</p>}
      <form class="collateral-form" onSubmit={(event) => { event.preventDefault(); if (depositProblem === null && sending === null) void run('deposit'); }}>
        <label class="field">
          <span>Amount ({collateral.symbol})</span>
          <span class="leverage-row">
            <input inputMode="decimal" autoComplete="off" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} data-testid="collateral-amount" />
            <button type="button" class="small" onClick={() => setAmount(toDecimalText(withdrawable))} data-testid="withdraw-max">Max withdrawable</button>
          </span>
        </label>
        <div class="button-row">
          <button type="submit" class="primary" disabled={depositProblem !== null || sending !== null} data-testid="deposit">{sending === 'deposit' ? 'Depositing…' : 'Deposit'}</button>
          <button type="button" disabled={withdrawProblem !== null || sending !== null} onClick={() => { void run('withdraw'); }} data-testid="withdraw">{sending === 'withdraw' ? 'Withdrawing…' : 'Withdraw'}</button>
        </div>
        {parsed.ok && value > 0n && depositProblem !== null && withdrawProblem !== null && <small class="muted">{depositProblem}; {withdrawProblem}</small>}
      </form>
    </section>
  );
}

// A refused quote or a failed transaction in words a trader acts on. The chain names its
// errors (`perp.OracleStale`); the words here say what it means for the trade and what to do.
// Errors not listed fall back to the runtime's own documentation of them (from metadata).

const WORDS: Record<string, string> = {
  'perp.OracleStale': 'Opening paused while the index is stale: the oracle has not published a fresh floor price. Closing, reducing and adding margin still work.',
  'perp.MarketPaused': 'This market is paused by governance: it is reduce-only, so reducing and closing work but opening does not.',
  'perp.UnknownMarket': 'There is no such market.',
  'perp.InsufficientCollateral': 'Not enough deposited collateral for this margin and its fee: deposit more first.',
  'perp.InsufficientFreeCollateral': 'That would leave your cross positions below the initial margin ratio: withdraw less.',
  'perp.InsufficientMargin': 'That would leave the margin ratio below the initial margin ratio: use more margin or less leverage.',
  'perp.InsufficientBalance': 'Your wallet balance is too low for this deposit (part of it must stay for fees and the existential deposit).',
  'perp.LeverageTooHigh': 'Leverage is above this market\'s maximum.',
  'perp.ZeroLeverage': 'Leverage must be at least 1x.',
  'perp.ZeroAmount': 'Enter an amount above zero.',
  'perp.MarginModeMismatch': 'You already hold this market in the other margin mode (cross vs isolated): use the same mode or close it first.',
  'perp.TooManyPositions': 'You hold the maximum number of positions: close one first.',
  'perp.SlippageExceeded': 'The price moved beyond your slippage tolerance: review the new quote or allow more slippage.',
  'perp.FluctuationLimitExceeded': 'This trade would move the price beyond this block\'s fluctuation band: trade a smaller size or wait a block.',
  'perp.MarkIndexDivergence': 'The mark is too far from the index, and this trade would widen the gap.',
  'perp.OpenInterestCapExceeded': 'This side\'s open interest cap would be exceeded: trade a smaller size.',
  'perp.PositionTooLarge': 'The position would exceed the market\'s maximum position size.',
  'perp.TradeBelowMinimum': 'The trade is below the market\'s minimum size.',
  'perp.OnePositionChangePerBlock': 'You already changed this position in this block: wait for the next block (about 6 s).',
  'perp.TooManyChangesInBlock': 'You changed too many positions in this block: wait for the next one.',
  'perp.PositionUnderwater': 'The position\'s loss exceeds what backs it: it can only be liquidated.',
  'perp.MarginTooLow': 'The position does not have that much margin.',
  'perp.MarginBacksLoss': 'That margin covers the position\'s current loss and stays with it: remove less, or close the position.',
  'perp.ReduceTooLarge': 'That is more than the position\'s size: close it instead.',
  'perp.TradeTooSmall': 'The trade is too small to move any base.',
  'perp.InsufficientDepth': 'The market is not deep enough for this trade.',
  'perp.NoPosition': 'You have no position in this market.',
  'balances.InsufficientBalance': 'Not enough balance.',
  'payment.Payment': 'Not enough FLOOR to pay the transaction fee.',
  Payment: 'Not enough FLOOR to pay the transaction fee.',
  'assets.BalanceLow': 'Not enough balance of the collateral asset.',
  'assets.NoAccount': 'You hold none of the collateral asset.'
};

/** Words for the chain error `name` (`section.Name`), else the runtime's `docs` for it. */
export function explainError (name: string, docs: string[] = []): string {
  const words = WORDS[name];
  if (words !== undefined) return words;
  const documented = docs.join(' ').trim();
  const bare = name.includes('.') ? name.slice(name.indexOf('.') + 1) : name;
  // `InsufficientMargin` → "Insufficient margin": a readable last resort.
  const spaced = bare.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const sentence = spaced.charAt(0).toUpperCase() + spaced.slice(1);
  return documented.length > 0 ? `${sentence}: ${documented}` : `${sentence}.`;
}

/** Errors for which the page refuses to send rather than let the chain refuse. */
export function blocksOpening (name: string): boolean {
  return name === 'perp.OracleStale' || name === 'perp.MarketPaused';
}

//! Reading Solidity ABI-encoded event data: 32-byte words, addresses, integers and arrays of
//! static tuples. Every read is bounds-checked: malformed data is `None`, never a panic.

use crate::types::Address;
use alloc::vec::Vec;
use primitive_types::U256;

/// One ABI word.
pub type Word = [u8; 32];

/// Bytes per word.
const WORD: usize = 32;

/// The word starting at byte `offset`.
pub fn word_at(data: &[u8], offset: usize) -> Option<&Word> {
	data.get(offset..offset.checked_add(WORD)?)?.try_into().ok()
}

/// Word number `index` (the `index`-th head slot).
pub fn word(data: &[u8], index: usize) -> Option<&Word> {
	word_at(data, index.checked_mul(WORD)?)
}

/// A word as an unsigned integer.
pub fn uint(word: &Word) -> U256 {
	U256::from_big_endian(word)
}

/// A word as a `u128`, `None` if it does not fit.
pub fn uint128(word: &Word) -> Option<u128> {
	u128::try_from(uint(word)).ok()
}

/// A word as a byte offset or a length, `None` if it does not fit `usize`.
fn size(word: &Word) -> Option<usize> {
	usize::try_from(uint(word)).ok()
}

/// A word as an address: the low 20 bytes, `None` if any of the high 12 is set.
pub fn address(word: &Word) -> Option<Address> {
	let (high, low) = word.split_at(12);
	if high.iter().any(|byte| *byte != 0) {
		return None;
	}
	low.try_into().ok()
}

/// The low 20 bytes of a word, whatever the rest holds (packed words put an address there).
pub fn low_address(word: &Word) -> Address {
	let mut address = [0u8; 20];
	address.copy_from_slice(word.split_at(12).1);
	address
}

/// The elements of a dynamic array of static tuples of `fields` words each, whose offset
/// (from `base`) is in head word `head_index` of the data at `base`: each element as its
/// words.
pub fn tuple_array(
	data: &[u8],
	base: usize,
	head_index: usize,
	fields: usize,
) -> Option<Vec<&[u8]>> {
	let head = word(data.get(base..)?, head_index)?;
	let start = base.checked_add(size(head)?)?;
	let length = size(word_at(data, start)?)?;
	let element = fields.checked_mul(WORD).filter(|bytes| *bytes > 0)?;
	let first = start.checked_add(WORD)?;
	let end = first.checked_add(length.checked_mul(element)?)?;
	let elements = data.get(first..end)?;
	Some(elements.chunks(element).collect())
}

/// The start (from the beginning of `data`) of the dynamic tuple whose offset is in head word
/// `head_index`.
pub fn tuple_start(data: &[u8], head_index: usize) -> Option<usize> {
	size(word(data, head_index)?)
}

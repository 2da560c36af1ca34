//! A PNG of the sales (accepted green, rejected red) and the floor (blue line), on a log
//! price axis. No text is drawn, so no font is needed.

use crate::price::eth_f64;
use plotters::prelude::*;
use std::path::Path;
use true_floor::{Sale, Verdict};

/// Width and height of the image in pixels.
const SIZE: (u32, u32) = (1600, 800);

/// Draws `sales` with their `verdicts` and the `floors` series to `path`.
pub fn draw(
	path: &Path,
	sales: &[Sale],
	verdicts: &[Verdict],
	floors: &[Option<u128>],
) -> Result<(), String> {
	let (Some(first), Some(last)) = (sales.first(), sales.last()) else {
		return Err("nothing to plot".into());
	};
	let prices = sales.iter().map(|sale| eth_f64(sale.price)).filter(|price| *price > 0.0);
	let low = prices.clone().fold(f64::INFINITY, f64::min).max(1e-6);
	let high = prices.fold(0f64, f64::max).max(low * 10.0);
	let end = last.timestamp.max(first.timestamp + 1);

	let root = BitMapBackend::new(path, SIZE).into_drawing_area();
	let error = |e: &dyn std::fmt::Display| format!("plot {}: {e}", path.display());
	root.fill(&WHITE).map_err(|e| error(&e))?;
	let mut chart = ChartBuilder::on(&root)
		.margin(20)
		.build_cartesian_2d(first.timestamp..end, (low..high).log_scale())
		.map_err(|e| error(&e))?;

	let points = |accepted: bool| {
		let colour =
			if accepted { RGBColor(40, 160, 60).mix(0.5) } else { RGBColor(210, 40, 40).mix(0.5) };
		sales
			.iter()
			.zip(verdicts)
			.filter(move |(sale, verdict)| {
				(**verdict == Verdict::Accepted) == accepted && sale.price > 0
			})
			.map(move |(sale, _)| {
				Circle::new((sale.timestamp, eth_f64(sale.price)), 2, colour.filled())
			})
	};
	chart.draw_series(points(false)).map_err(|e| error(&e))?;
	chart.draw_series(points(true)).map_err(|e| error(&e))?;
	let line = sales
		.iter()
		.zip(floors)
		.filter_map(|(sale, floor)| floor.map(|floor| (sale.timestamp, eth_f64(floor))));
	chart
		.draw_series(LineSeries::new(line, ShapeStyle::from(&BLUE).stroke_width(2)))
		.map_err(|e| error(&e))?;
	root.present().map_err(|e| error(&e))?;
	Ok(())
}

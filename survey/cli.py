"""The `survey` command line: a click group over the instrument core."""

from __future__ import annotations

import click

import instruments
from instruments.library import bundled
from instruments.synthetic import township_columns


@click.group()
def cli() -> None:
    """Primary-care capability assessment: instruments, scores and league tables."""


@cli.group("instruments")
def instruments_group() -> None:
    """Work with instruments."""


@instruments_group.command("list")
def list_instruments() -> None:
    """List the bundled instruments: ids, versions, item and indicator counts."""
    for instrument in bundled().values():
        click.echo(
            f"{instrument.id}\t{instrument.version}\t{len(instrument.items)} items\t"
            f"{len(instrument.indicators)} indicators\t{instrument.title.zh}"
        )


@cli.command()
@click.option("--centres", default=18, show_default=True, help="How many centres to score.")
def demo(centres: int) -> None:
    """Score synthetic township health centres and print their league table."""
    instrument = bundled()["township-health-centre"]
    scores = instruments.score_columns(instrument, township_columns(centres, seed=18))
    ranks = instruments.rank(scores.total)
    click.echo(f"{instrument.title.zh}（{instrument.version}）：{centres} 家乡镇卫生院")
    for row in sorted(range(centres), key=lambda r: (ranks[r] or centres + 1, r)):
        grade = instrument.grades[scores.grade[row]].label.zh if scores.grade[row] >= 0 else "—"
        click.echo(f"{ranks[row]:>4}  卫生院{row + 1:02d}  {scores.total[row]:5.1f}  {grade}")

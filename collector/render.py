"""Human output of `collector fetch`: a rich table of symbols, the Fear & Greed line and one line per source."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from collector.models import MARKET
from collector.snapshot import Snapshot


def _num(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def render(snap: Snapshot, console: Console) -> None:
    table = Table(title="Sentiment by symbol", title_justify="left")
    for col, just in (("symbol", "left"), ("news", "right"), ("n", "right"), ("social", "right"),
                      ("n", "right"), ("price usd", "right"), ("24h %", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for sym, v in snap.symbols.items():
        table.add_row(
            sym if sym != MARKET else f"[bold]{sym}[/bold]",
            _num(v.news.score if v.news else None, "+.3f"), str(v.news.items if v.news else 0),
            _num(v.social.score if v.social else None, "+.3f"), str(v.social.items if v.social else 0),
            _num(v.price_usd, ",.2f") if v.price_usd is None or v.price_usd >= 1 else _num(v.price_usd, ".6f"),
            _num(v.change_24h_percent, "+.2f"),
        )
    console.print(table)
    fg = snap.fear_greed
    console.print("Fear & Greed: " + (f"{fg.value} ({fg.classification})" if fg else "unknown"))
    console.print()
    for api, st in snap.sources.items():
        mark = "[green]ok[/green]    " if st.ok else "[red]failed[/red]"
        line = f"{api:<12} {mark} items={st.items:<5} latency={st.duration_seconds:.2f}s"
        if st.feeds:
            bad = sum(1 for r in st.feeds.values() if not r.ok)
            line += f"  feeds ok={len(st.feeds) - bad}/{len(st.feeds)}"
        elif st.error:
            line += f"  {st.reason}: {st.error}"
        console.print(line, highlight=False, soft_wrap=True)
        for name, r in st.feeds.items():
            if not r.ok:
                console.print(f"  feed {name}: {r.reason}: {r.error}", highlight=False, soft_wrap=True)

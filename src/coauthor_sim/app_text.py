"""Words of the browser app's "Start here" tab, and each lever's "what can backfire" text.

The backfire texts are not copied into the app: they are read, when the app starts, from the
lever guide ``docs/levers.md`` by ``coauthor_sim.levers_guide`` (which the comparison report
uses too), so the app stays in step with the guide.
"""

from __future__ import annotations

from .levers_guide import LEVERS_GUIDE, backfire_texts, parse_backfire

__all__ = ["LEVERS_GUIDE", "backfire_texts", "parse_backfire"]

ODD_URL = "docs/ODD.md"


WHAT_IT_IS = (
    "This is a simulated town. About a thousand citizens live in twenty neighbourhoods, from "
    "well-off to deprived. They have friends, needs that grow month by month, and some capacity "
    "to help themselves and each other. Public servants and providers of support (public, "
    "private, voluntary and community) spend a monthly budget from central government. "
    "The model turns the ideas of a 2011 University of Birmingham Policy Commission report, "
    "'When Tomorrow Comes', into rules: citizens as co-authors of their own well-being, "
    "supported by local public services. You choose the policy levers; the town runs month by "
    "month; the charts show what happens to well-being, inequality, engagement and need."
)
FIRST_STEPS = (
    "Open the Explore tab and press Play. Watch a few years go by: the dots of the network "
    "change colour as citizens' well-being changes, and the charts grow month by month. "
    "Press Pause whenever you like.",
    "Press Reset. Then move one lever in the panel on the left, for example 'Money for "
    "prevention', and press Reset again: the next run uses your setting. Play it and compare "
    "the new lines with the faded lines of the previous run.",
    "Open the Compare tab and press Compare. Your settings are run against a scenario of your "
    "choice with the same five random towns (seeds), and the table says, outcome by outcome, "
    "whether your settings did better or worse, and in how many of the towns.",
)
THINGS_TO_TRY = (
    "Cut the central grant (the austerity scenario) and watch unmet need and crises.",
    "Push 'Money for prevention' to 0.4 and then 0.7: prevention pays slowly, if at all.",
    "Raise co-production, then also raise 'Building citizens' capacity': who gains?",
    "Turn up five 'good' levers at once, and compare with the status quo. Then read below why "
    "that can make everyone worse off.",
)
THINGS_TO_NOTICE = (
    "The first two years are shaded grey on every chart: the town starts away from its usual "
    "state, so need, engagement and well-being drift while it settles. Judge a policy on the "
    "later years, and by comparison with the same town under another policy, not by its level.",
    "The budget is set by the centre. Each month the grant pays for servants, training, "
    "listening to users, finance costs, crises (first among services: they are statutory), "
    "community action and capacity building; providers get whatever is left. So every lever "
    "that spends money takes it from formal support, and a month with many crises leaves less "
    "for everything else. Money not spent is kept in a reserve for later months. The 'Money "
    "by purpose' chart shows where it went.",
    "Chance matters. One run is one possible town. The Compare tab runs several towns (seeds) "
    "and shows the range, so you can tell a real difference from luck.",
    "A model shows only the mechanisms it contains. Each lever below says how it can fail or "
    "backfire in this model; the full description is in the lever guide and the ODD document.",
)

"""Mesa agents: the faces users touch. Their state lives in the model's numpy arrays.

``citizen.wellbeing`` reads and writes ``model.citizens.wellbeing[citizen.index]``, so Mesa's
``AgentSet.select / agg / groupby``, the ``DataCollector`` and the visualisation see the same
numbers the vectorised dynamics work on. The agents do not step themselves: the model steps all
citizens at once (see ``CoauthorModel.step``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .state import AGE_GROUPS, KINDS, ROLES, SECTORS, SKILLS

if TYPE_CHECKING:
    from .model import CoauthorModel


def _field(store: str, name: str, doc: str, writable: bool = True) -> property:
    """A property reading (and writing) one entry of an array in ``model.<store>``."""

    def get(self):
        return getattr(getattr(self.model, store), name)[self.index].item()

    def put(self, value):
        getattr(getattr(self.model, store), name)[self.index] = value

    return property(get, put if writable else None, doc=doc)


class Citizen(mesa.Agent):
    """A citizen: a co-author of its own well-being.

    Its four Cs are ``capacity``, ``connectedness`` (derived from its ties, read-only),
    ``control`` and ``context`` (of its neighbourhood, read-only), plus ``wellbeing``,
    ``need`` (unmet need), ``willingness`` and ``engaged``.
    """

    def __init__(self, model: CoauthorModel, index: int):
        super().__init__(model)
        self.index = index

    capacity = _field("citizens", "capacity", "Capability and confidence, in [0, 1].")
    connectedness = _field(
        "citizens", "connectedness", "Resources its ties bring, in [0, 1).", writable=False
    )
    control = _field("citizens", "control", "Power over decisions and services, in [0, 1].")
    context = _field(
        "citizens", "context", "Favourability of its neighbourhood, in [0, 1].", writable=False
    )
    wellbeing = _field("citizens", "wellbeing", "Well-being in [0, 1] (x10 = life satisfaction).")
    need = _field("citizens", "need", "Unmet need, in [0, 1].")
    willingness = _field("citizens", "willingness", "Willingness to engage, in [0, 1].")
    engaged = _field("citizens", "engaged", "Takes part in community action this month.")
    neighbourhood = _field("citizens", "neighbourhood", "Neighbourhood number.", writable=False)
    deprivation_quintile = _field(
        "citizens", "deprivation_quintile", "0 least ... 4 most deprived.", writable=False
    )

    @property
    def age_group(self) -> str:
        return AGE_GROUPS[self.model.citizens.age_group[self.index]]

    @property
    def neighbours(self) -> list[Citizen]:
        """The citizens it has social ties with."""
        return [self.model.citizen_agents[j] for j in self.model.network.neighbors(self.index)]


class PublicServant(mesa.Agent):
    """A public servant from any sector, splitting its time between professional casework and
    the four new roles (navigator, weaver, storyteller, architect)."""

    def __init__(self, model: CoauthorModel, index: int):
        super().__init__(model)
        self.index = index

    neighbourhood = _field("servants", "neighbourhood", "Neighbourhood it serves.", False)
    caseload = _field("servants", "caseload", "Citizens it navigated last month.", False)

    @property
    def sector(self) -> str:
        return SECTORS[self.model.servants.sector[self.index]]

    @property
    def roles(self) -> dict[str, float]:
        """Share of its time in each new role (the rest is casework)."""
        row = self.model.servants.role_time[self.index]
        return {r: float(x) for r, x in zip(ROLES, row, strict=True)}

    @property
    def skills(self) -> dict[str, float]:
        row = self.model.servants.skills[self.index]
        return {s: float(x) for s, x in zip(SKILLS, row, strict=True)}


class Provider(mesa.Agent):
    """A provider of preventative or responsive support, from one of four sectors."""

    def __init__(self, model: CoauthorModel, index: int):
        super().__init__(model)
        self.index = index

    unit_cost = _field("providers", "unit_cost", "GBP per unit of support.", False)
    effectiveness = _field("providers", "effectiveness", "Need removed per unit.", False)
    track_record = _field("providers", "track_record", "Performance as measured.", False)
    delivered = _field("providers", "delivered", "Units delivered last month.", False)
    paid = _field("providers", "paid", "GBP paid last month.", False)

    @property
    def sector(self) -> str:
        return SECTORS[self.model.providers.sector[self.index]]

    @property
    def kind(self) -> str:
        return KINDS[self.model.providers.kind[self.index]]

    @property
    def contract(self) -> str:
        return "outcomes" if self.model.providers.outcome_contract[self.index] else "block"

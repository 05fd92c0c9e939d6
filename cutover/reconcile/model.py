"""The reconciliation's result model, which moved below the controls that fill it: ``cutover.results.model``.

Kept so that ``from cutover.reconcile.model import ...`` goes on working (an import down the layers).
"""

from cutover.results.model import (
                                   CHANGE_COLUMNS,
                                   DIFFERENCE_COLUMNS,
                                   MEASURES,
                                   REJECT_COLUMNS,
                                   UNREADABLE_COLUMNS,
                                   ControlLine,
                                   EntityCount,
                                   MoneyLine,
                                   Reconciliation,
                                   RecordCount,
                                   RowDifferences,
                                   ServiceMoney,
                                   SourceRecords,
                                   UnreadableMoney,
                                   UnreadableValue,
                                   entity_label,
)

__all__ = ["CHANGE_COLUMNS", "DIFFERENCE_COLUMNS", "MEASURES", "REJECT_COLUMNS", "UNREADABLE_COLUMNS", "ControlLine",
           "EntityCount", "MoneyLine", "Reconciliation", "RecordCount", "RowDifferences", "ServiceMoney",
           "SourceRecords", "UnreadableMoney", "UnreadableValue", "entity_label"]

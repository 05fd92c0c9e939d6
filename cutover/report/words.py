"""The words of the workbooks accountants read (report.xlsx, protocol.xlsx): Russian by default,
English with ``[report] language = "en"`` in cutover.toml.

The code and the other views (report.html, the console) name things in English; a workbook asks
:func:`say` for the word in its language. A label with no Russian word here is written in English,
so a new column is never lost, only untranslated (``tests/test_accountant_workbook.py`` checks every
header and sheet name of both workbooks has one). Sheet names stay within Excel's 31 characters.
"""

from __future__ import annotations

MEASURES = ("opening", "charged", "recalculated", "paid", "closing")

RU = {
    # sheets of report.xlsx
    "Summary": "Сводка",
    "Turnover": "Оборотно-сальдовая ведомость",
    "Control totals": "Контрольные суммы",
    "Unreadable money": "Нечитаемые суммы",
    "Differences": "Расхождения",
    "Rejects by rule": "Отказы по правилам",
    "Rejects": "Отказы",
    "Changes": "Изменения",
    # sheets of protocol.xlsx
    "Protocol": "Протокол",
    "Accepted rejects": "Принятые отказы",
    "Sample accounts": "Выборочные счета",
    "Evidence": "Доказательства",
    "Steps": "Шаги",
    # measures of a balance (оборотно-сальдовая ведомость)
    "opening": "Сальдо на начало",
    "charged": "Начислено",
    "recalculated": "Перерасчёт",
    "paid": "Оплачено",
    "closing": "Сальдо на конец",
    # severities
    "error": "отказ",
    "warning": "предупреждение",
    # headers
    "Severity": "Важность",
    "Entity": "Сущность",
    "Rule": "Правило",
    "Message": "Сообщение",
    "File": "Файл",
    "Row": "Строка файла",
    "Legacy key": "Ключ в старой системе",
    "Column": "Колонка",
    "Value": "Значение",
    "Kind": "Вид",
    "Problem": "Проблема",
    "Source": "Источник",
    "Target": "Новая система",
    "Change": "Изменение",
    "Before": "Было",
    "After": "Стало",
    "Service": "Услуга",
    "Service code": "Код услуги",
    "Target service": "Услуга",
    "Month": "Месяц",
    "Measure": "Показатель",
    "Status": "Статус",
    "Rows": "Строк",
    "Legacy service": "Услуга в старой системе",
    "Control (raw source)": "Контроль (исходные данные)",
    "As mapped": "Прочитано маппингом",
    "Rejected": "Отклонено",
    "Filtered": "Отфильтровано",
    "Unreadable rows": "Нечитаемых строк",
    "Legacy statement": "Ведомость старой системы",
    "Difference": "Расхождение",
    "Records": "Записей",
    "Read": "Прочитано",
    "Blank": "Пустых",
    "Deleted": "Удалённых",
    "Comment lines": "Строк-комментариев",
    "Not read": "Не прочитано",
    "Every cell blank": "Все ячейки пусты",
    "Loaded": "Загружено",
    "Source rows": "Строк в источнике",
    "Warnings": "Предупреждений",
    "New rejects": "Новые отказы",
    "Fixed rejects": "Исправленные отказы",
    "What": "Что",
    "Added": "Добавлено",
    "Removed": "Удалено",
    "Changed": "Изменено",
    "Total": "Итого",
    "Accounts": "Лицевые счета",
    "Meters": "Счётчики",
    "Balances": "Сальдо",
    # protocol.xlsx
    "Legacy closing": "Сальдо на конец в старой системе",
    "Rejected (accepted)": "Отклонено (принято)",
    "Target closing": "Сальдо на конец в новой системе",
    "New opening": "Сальдо на начало нового месяца",
    "Legacy rows": "Строк в старой системе",
    "Rows loaded": "Строк загружено",
    "Rows rejected": "Строк отклонено",
    "Check": "Проверка",
    "Result": "Результат",
    "Detail": "Подробности",
    "Legacy account": "Лицевой счёт в старой системе",
    "New account": "Новый лицевой счёт",
    "Name": "Имя",
    "SHA-256": "SHA-256",
    "Step": "Шаг",
    "Title": "Название",
    "Started": "Начало",
    "Finished": "Окончание",
    "Seconds": "Секунд",
    "System": "Система",
    "Period closed": "Закрытый период",
    "Period opened": "Открытый период",
    "Run": "Прогон",
    "Legacy": "Старая система",
    "Made at": "Составлен",
    "Forced past preflight": "Запущен вопреки предварительной проверке",
    "Lock broken": "Снята блокировка",
    "Control totals per service": "Контрольные суммы по услугам",
    "Counts": "Количество записей",
    "Records per source": "Записи по источникам",
    "Checklist": "Контрольный список",
    "passed": "пройдено",
    "FAILED": "НЕ ПРОЙДЕНО",
    "✔ passed": "✔ пройдено",
    "✘ FAILED": "✘ НЕ ПРОЙДЕНО",
    # report.xlsx's Summary
    "GO: reconciled": "GO: сверка сошлась",
    "NO-GO: differences": "NO-GO: есть расхождения",
    "NO-GO: the run failed": "NO-GO: прогон не завершён",
    "Mapping": "Маппинг",
    "Period": "Период",
    "Records of every source": "Записи каждого источника",
    "Changes since the previous run": "Изменения с предыдущего прогона",
}


def say(language: str, text: str) -> str:
    """``text`` in the workbook's language: its Russian word for ``ru`` (the English where there is none)."""
    return RU.get(text, text) if language == "ru" else text


def say_all(language: str, texts: list[str]) -> list[str]:
    return [say(language, text) for text in texts]

"""English dates as the Government of Canada writes them in running text: day, month in
full, year ("9 July 2025", "July 2025"), never the abbreviated "Dec. 3, 2026" of Django's
default. "Date modified" is ISO 8601 (2025-07-09) in both languages, as on Canada.ca."""

DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"

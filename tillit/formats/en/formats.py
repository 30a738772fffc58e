"""English dates and numbers, for readers of a Swedish service.

Django's default English is American ("Dec. 2, 2026", "12/02/2026"); here the day comes
first, as in Swedish and British English, so a date reads the same way in both languages:
"2 December 2026" in running text. Tables and lists use the ISO form "2026-12-02", which
no reader can take for 12 February, and the 24-hour clock.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Sweden

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

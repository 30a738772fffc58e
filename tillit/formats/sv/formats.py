"""Swedish dates and numbers.

Dates in running text and headings: "2 december 2026", day first and the month written out in
lower case, as the Swedish Language Council recommends. Dates in tables and lists, where
space is short and columns should line up: "2026-12-02", the ISO 8601 form that Swedish
authorities use (and that sorts as it reads). No abbreviated month names ("2 dec."): they
were what made the comparison read "1 Sep 2026" beside "2 december 2026".
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday

DECIMAL_SEPARATOR = ","
# A space groups thousands in Swedish; a non-breaking one keeps "12 500" on one line.
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3

# Django's own zh_Hans DATE_INPUT_FORMATS uses "%Y年%n月%j日", which strptime cannot parse.
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y%m%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y年%m月%d日",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1

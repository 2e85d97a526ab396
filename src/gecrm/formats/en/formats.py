DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%m/%d/%Y"]

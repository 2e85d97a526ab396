"""Tables the demo generator draws from: names, places, coordinates, products.

Everything here is plain data. Names of people and companies are made up from common parts;
public bodies (税务局, 法院 …) carry their real, generic names because every province has them.
"""

DEMO_PASSWORD = "gecrm-demo-2026"

# The 31 provincial-level divisions: GB/T 2260 code → (org code, short name, weight). The org code
# is the ISO 3166-2:CN suffix; the weight steers how many branches and staff a province gets.
PROVINCES = {
    "110000": ("BJ", "北京", 9),
    "120000": ("TJ", "天津", 4),
    "130000": ("HE", "河北", 4),
    "140000": ("SX", "山西", 2),
    "150000": ("NM", "内蒙古", 2),
    "210000": ("LN", "辽宁", 4),
    "220000": ("JL", "吉林", 2),
    "230000": ("HL", "黑龙江", 2),
    "310000": ("SH", "上海", 9),
    "320000": ("JS", "江苏", 8),
    "330000": ("ZJ", "浙江", 7),
    "340000": ("AH", "安徽", 4),
    "350000": ("FJ", "福建", 5),
    "360000": ("JX", "江西", 3),
    "370000": ("SD", "山东", 6),
    "410000": ("HA", "河南", 5),
    "420000": ("HB", "湖北", 5),
    "430000": ("HN", "湖南", 4),
    "440000": ("GD", "广东", 10),
    "450000": ("GX", "广西", 3),
    "460000": ("HI", "海南", 2),
    "500000": ("CQ", "重庆", 4),
    "510000": ("SC", "四川", 6),
    "520000": ("GZ", "贵州", 2),
    "530000": ("YN", "云南", 3),
    "540000": ("XZ", "西藏", 1),
    "610000": ("SN", "陕西", 4),
    "620000": ("GS", "甘肃", 2),
    "630000": ("QH", "青海", 1),
    "640000": ("NX", "宁夏", 1),
    "650000": ("XJ", "新疆", 2),
}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# Provinces whose every prefecture (for 北京/上海: every district) gets an org unit. The other
# provinces get one for their capital only.
DETAILED_PROVINCES = ("110000", "310000", "440000", "320000", "330000", "510000")

# Prefecture-level org units: region name → (code suffix, latitude, longitude, weight).
# For 北京, 上海, 天津 and 重庆 the units are districts. Coordinates are the city (district) centre.
PREFECTURES = {
    # 广东
    "广州市": ("GZ", 23.13, 113.26, 10),
    "韶关市": ("SG", 24.81, 113.60, 1),
    "深圳市": ("SZ", 22.54, 114.06, 10),
    "珠海市": ("ZH", 22.27, 113.58, 3),
    "汕头市": ("ST", 23.35, 116.68, 3),
    "佛山市": ("FS", 23.02, 113.12, 6),
    "江门市": ("JM", 22.58, 113.08, 2),
    "湛江市": ("ZJ", 21.27, 110.36, 2),
    "茂名市": ("MM", 21.66, 110.92, 2),
    "肇庆市": ("ZQ", 23.05, 112.47, 1),
    "惠州市": ("HZ", 23.11, 114.42, 3),
    "梅州市": ("MZ", 24.29, 116.12, 1),
    "汕尾市": ("SW", 22.79, 115.38, 1),
    "河源市": ("HY", 23.74, 114.70, 1),
    "阳江市": ("YJ", 21.86, 111.98, 1),
    "清远市": ("QY", 23.68, 113.06, 1),
    "东莞市": ("DG", 23.02, 113.75, 6),
    "中山市": ("ZS", 22.52, 113.39, 3),
    "潮州市": ("CZ", 23.66, 116.62, 1),
    "揭阳市": ("JY", 23.55, 116.37, 1),
    "云浮市": ("YF", 22.92, 112.04, 1),
    # 江苏
    "南京市": ("NJ", 32.06, 118.80, 7),
    "无锡市": ("WX", 31.49, 120.31, 5),
    "徐州市": ("XZ", 34.20, 117.28, 3),
    "常州市": ("CZ", 31.81, 119.97, 4),
    "苏州市": ("SZ", 31.30, 120.58, 8),
    "南通市": ("NT", 31.98, 120.89, 4),
    "连云港市": ("LYG", 34.60, 119.22, 1),
    "淮安市": ("HA", 33.61, 119.02, 2),
    "盐城市": ("YC", 33.35, 120.16, 2),
    "扬州市": ("YZ", 32.39, 119.41, 2),
    "镇江市": ("ZJ", 32.19, 119.42, 2),
    "泰州市": ("TZ", 32.46, 119.92, 2),
    "宿迁市": ("SQ", 33.96, 118.28, 1),
    # 浙江
    "杭州市": ("HZ", 30.27, 120.16, 8),
    "宁波市": ("NB", 29.87, 121.55, 5),
    "温州市": ("WZ", 28.00, 120.70, 4),
    "嘉兴市": ("JX", 30.75, 120.76, 2),
    "湖州市": ("HUZ", 30.89, 120.09, 2),
    "绍兴市": ("SX", 30.00, 120.58, 3),
    "金华市": ("JH", 29.08, 119.65, 3),
    "衢州市": ("QZ", 28.94, 118.87, 1),
    "舟山市": ("ZS", 30.00, 122.21, 1),
    "台州市": ("TZ", 28.66, 121.42, 3),
    "丽水市": ("LS", 28.47, 119.92, 1),
    # 四川
    "成都市": ("CD", 30.57, 104.07, 9),
    "自贡市": ("ZG", 29.34, 104.78, 1),
    "攀枝花市": ("PZH", 26.58, 101.72, 1),
    "泸州市": ("LZ", 28.87, 105.44, 1),
    "德阳市": ("DY", 31.13, 104.40, 1),
    "绵阳市": ("MY", 31.47, 104.68, 2),
    "广元市": ("GY", 32.44, 105.84, 1),
    "遂宁市": ("SN", 30.53, 105.59, 1),
    "内江市": ("NJ", 29.58, 105.06, 1),
    "乐山市": ("LS", 29.55, 103.77, 1),
    "南充市": ("NC", 30.84, 106.11, 1),
    "眉山市": ("MS", 30.08, 103.85, 1),
    "宜宾市": ("YB", 28.77, 104.64, 1),
    "广安市": ("GA", 30.46, 106.63, 1),
    "达州市": ("DZ", 31.21, 107.47, 1),
    "雅安市": ("YA", 29.98, 103.01, 1),
    "巴中市": ("BZ", 31.87, 106.75, 1),
    "资阳市": ("ZY", 30.13, 104.63, 1),
    "阿坝藏族羌族自治州": ("AB", 31.90, 102.22, 1),
    "甘孜藏族自治州": ("GZ", 30.05, 101.96, 1),
    "凉山彝族自治州": ("LSZ", 27.88, 102.27, 1),
    # 北京 (districts)
    "北京市东城区": ("DC", 39.93, 116.42, 4),
    "北京市西城区": ("XC", 39.91, 116.37, 5),
    "北京市朝阳区": ("CY", 39.92, 116.49, 6),
    "北京市丰台区": ("FT", 39.86, 116.29, 3),
    "北京市石景山区": ("SJS", 39.91, 116.22, 1),
    "北京市海淀区": ("HD", 39.96, 116.30, 6),
    "北京市门头沟区": ("MTG", 39.94, 116.10, 1),
    "北京市房山区": ("FS", 39.75, 116.14, 1),
    "北京市通州区": ("TZ", 39.91, 116.66, 2),
    "北京市顺义区": ("SY", 40.13, 116.65, 2),
    "北京市昌平区": ("CP", 40.22, 116.23, 2),
    "北京市大兴区": ("DX", 39.73, 116.34, 2),
    "北京市怀柔区": ("HR", 40.32, 116.63, 1),
    "北京市平谷区": ("PG", 40.14, 117.12, 1),
    "北京市密云区": ("MY", 40.38, 116.84, 1),
    "北京市延庆区": ("YQ", 40.46, 115.97, 1),
    # 上海 (districts)
    "上海市黄浦区": ("HP", 31.23, 121.49, 5),
    "上海市徐汇区": ("XH", 31.19, 121.44, 4),
    "上海市长宁区": ("CN", 31.22, 121.42, 3),
    "上海市静安区": ("JA", 31.23, 121.45, 4),
    "上海市普陀区": ("PT", 31.25, 121.40, 2),
    "上海市虹口区": ("HK", 31.26, 121.51, 2),
    "上海市杨浦区": ("YP", 31.26, 121.53, 2),
    "上海市闵行区": ("MH", 31.11, 121.38, 3),
    "上海市宝山区": ("BS", 31.40, 121.49, 2),
    "上海市嘉定区": ("JD", 31.38, 121.27, 2),
    "上海市浦东新区": ("PD", 31.22, 121.54, 8),
    "上海市金山区": ("JS", 30.74, 121.34, 1),
    "上海市松江区": ("SJ", 31.03, 121.23, 2),
    "上海市青浦区": ("QP", 31.15, 121.12, 1),
    "上海市奉贤区": ("FX", 30.92, 121.47, 1),
    "上海市崇明区": ("CM", 31.62, 121.40, 1),
    # the capitals of the other provinces (天津, 重庆: their central district)
    "天津市和平区": ("HP", 39.12, 117.20, 4),
    "石家庄市": ("SJZ", 38.04, 114.51, 3),
    "太原市": ("TY", 37.87, 112.55, 2),
    "呼和浩特市": ("HHHT", 40.84, 111.75, 2),
    "沈阳市": ("SY", 41.81, 123.43, 3),
    "长春市": ("CC", 43.82, 125.32, 2),
    "哈尔滨市": ("HEB", 45.80, 126.53, 2),
    "合肥市": ("HF", 31.82, 117.23, 3),
    "福州市": ("FZ", 26.07, 119.30, 3),
    "南昌市": ("NC", 28.68, 115.86, 2),
    "济南市": ("JN", 36.65, 117.12, 3),
    "郑州市": ("ZZ", 34.75, 113.63, 4),
    "武汉市": ("WH", 30.59, 114.31, 5),
    "长沙市": ("CS", 28.23, 112.94, 4),
    "南宁市": ("NN", 22.82, 108.37, 2),
    "海口市": ("HK", 20.04, 110.32, 2),
    "重庆市渝中区": ("YZ", 29.56, 106.55, 4),
    "贵阳市": ("GY", 26.65, 106.63, 2),
    "昆明市": ("KM", 24.88, 102.83, 3),
    "拉萨市": ("LS", 29.65, 91.14, 1),
    "西安市": ("XA", 34.34, 108.94, 4),
    "兰州市": ("LZ", 36.06, 103.83, 2),
    "西宁市": ("XN", 36.62, 101.78, 1),
    "银川市": ("YC", 38.49, 106.23, 1),
    "乌鲁木齐市": ("WLMQ", 43.83, 87.62, 2),
}

# The capital (or central district) of each province without a full prefecture set.
CAPITALS = {
    "120000": "120101",
    "130000": "130100",
    "140000": "140100",
    "150000": "150100",
    "210000": "210100",
    "220000": "220100",
    "230000": "230100",
    "340000": "340100",
    "350000": "350100",
    "360000": "360100",
    "370000": "370100",
    "410000": "410100",
    "420000": "420100",
    "430000": "430100",
    "450000": "450100",
    "460000": "460100",
    "500000": "500103",
    "520000": "520100",
    "530000": "530100",
    "540000": "540100",
    "610000": "610100",
    "620000": "620100",
    "630000": "630100",
    "640000": "640100",
    "650000": "650100",
    # the detailed provinces (where provincial branches of HQ customers sit)
    "110000": "110102",
    "310000": "310101",
    "440000": "440100",
    "320000": "320100",
    "330000": "330100",
    "510000": "510100",
}

# Prefectures whose districts get their own org units (the pilot prefectures of DOMAIN.md §4).
DISTRICT_PREFECTURES = {
    "广州市": {
        "荔湾区": "LW", "越秀区": "YX", "海珠区": "HZ", "天河区": "TH", "白云区": "BY",
        "黄埔区": "HP", "番禺区": "PY", "花都区": "HD", "南沙区": "NS", "从化区": "CH",
        "增城区": "ZC",
    },
    "深圳市": {
        "罗湖区": "LH", "福田区": "FT", "南山区": "NS", "宝安区": "BA", "龙岗区": "LG",
        "盐田区": "YT", "龙华区": "LHU", "坪山区": "PS", "光明区": "GM",
    },
    "南京市": {
        "玄武区": "XW", "秦淮区": "QH", "建邺区": "JY", "鼓楼区": "GL", "浦口区": "PK",
        "栖霞区": "QX", "雨花台区": "YHT", "江宁区": "JN", "六合区": "LH", "溧水区": "LS",
        "高淳区": "GC",
    },
    "苏州市": {
        "虎丘区": "HQ", "吴中区": "WZ", "相城区": "XC", "姑苏区": "GS", "吴江区": "WJ",
        "苏州工业园区": "SIP", "常熟市": "CS", "张家港市": "ZJG", "昆山市": "KS", "太仓市": "TC",
    },
}  # fmt: skip

# Surnames with a rough frequency weight, and the characters of given names, with pinyin.
SURNAMES = [
    ("王", "wang", 72), ("李", "li", 70), ("张", "zhang", 67), ("刘", "liu", 54),
    ("陈", "chen", 45), ("杨", "yang", 31), ("黄", "huang", 24), ("赵", "zhao", 20),
    ("吴", "wu", 20), ("周", "zhou", 19), ("徐", "xu", 14), ("孙", "sun", 13),
    ("马", "ma", 12), ("朱", "zhu", 11), ("胡", "hu", 10), ("郭", "guo", 10),
    ("何", "he", 9), ("林", "lin", 9), ("高", "gao", 9), ("罗", "luo", 8),
    ("郑", "zheng", 8), ("梁", "liang", 7), ("谢", "xie", 6), ("宋", "song", 6),
    ("唐", "tang", 6), ("许", "xu", 6), ("邓", "deng", 5), ("冯", "feng", 5),
    ("韩", "han", 5), ("曹", "cao", 5), ("曾", "zeng", 5), ("彭", "peng", 5),
    ("萧", "xiao", 4), ("蔡", "cai", 4), ("潘", "pan", 4), ("田", "tian", 4),
    ("董", "dong", 4), ("袁", "yuan", 4), ("于", "yu", 4), ("余", "yu", 4),
    ("叶", "ye", 4), ("蒋", "jiang", 4), ("杜", "du", 4), ("苏", "su", 3),
    ("魏", "wei", 3), ("程", "cheng", 3), ("吕", "lv", 3), ("丁", "ding", 3),
    ("沈", "shen", 3), ("任", "ren", 3), ("姚", "yao", 3), ("卢", "lu", 3),
    ("傅", "fu", 3), ("钟", "zhong", 3), ("姜", "jiang", 3), ("崔", "cui", 3),
    ("谭", "tan", 3), ("廖", "liao", 3), ("范", "fan", 2), ("汪", "wang", 2),
    ("陆", "lu", 2), ("金", "jin", 2), ("石", "shi", 2), ("戴", "dai", 2),
    ("贾", "jia", 2), ("韦", "wei", 2), ("夏", "xia", 2), ("邱", "qiu", 2),
    ("方", "fang", 2), ("侯", "hou", 2), ("邹", "zou", 2), ("熊", "xiong", 2),
    ("孟", "meng", 2), ("秦", "qin", 2), ("白", "bai", 2), ("江", "jiang", 2),
    ("阎", "yan", 2), ("薛", "xue", 2), ("尹", "yin", 2), ("段", "duan", 2),
    ("雷", "lei", 2), ("黎", "li", 2), ("史", "shi", 2), ("龙", "long", 2),
    ("欧阳", "ouyang", 1), ("司马", "sima", 1), ("上官", "shangguan", 1), ("诸葛", "zhuge", 1),
]  # fmt: skip

GIVEN_CHARS = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
    ("萍", "ping"), ("红", "hong"), ("鹏", "peng"), ("辉", "hui"), ("建", "jian"), ("国", "guo"),
    ("文", "wen"), ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("健", "jian"),
    ("俊", "jun"), ("帆", "fan"), ("帅", "shuai"), ("旭", "xu"), ("宁", "ning"), ("龙", "long"),
    ("林", "lin"), ("欣", "xin"), ("佳", "jia"), ("颖", "ying"), ("婷", "ting"), ("雪", "xue"),
    ("琳", "lin"), ("晶", "jing"), ("晨", "chen"), ("博", "bo"), ("峰", "feng"), ("亮", "liang"),
    ("波", "bo"), ("毅", "yi"), ("成", "cheng"), ("志", "zhi"), ("海", "hai"), ("燕", "yan"),
    ("慧", "hui"), ("倩", "qian"), ("璐", "lu"), ("丹", "dan"), ("飞", "fei"), ("昊", "hao"),
    ("子", "zi"), ("梓", "zi"), ("涵", "han"), ("睿", "rui"), ("轩", "xuan"), ("怡", "yi"),
    ("思", "si"), ("雨", "yu"), ("嘉", "jia"), ("诗", "shi"), ("瑶", "yao"), ("琪", "qi"),
    ("晓", "xiao"), ("东", "dong"), ("立", "li"), ("春", "chun"), ("冬", "dong"), ("秋", "qiu"),
    ("永", "yong"), ("新", "xin"), ("德", "de"), ("荣", "rong"), ("光", "guang"), ("天", "tian"),
    ("云", "yun"), ("兰", "lan"), ("梅", "mei"), ("凤", "feng"), ("洁", "jie"), ("蕾", "lei"),
    ("振", "zhen"), ("宏", "hong"), ("鑫", "xin"), ("彬", "bin"), ("哲", "zhe"), ("瑞", "rui"),
]  # fmt: skip

# Company "brand" words (字号) of the vertical HQ customers, with pinyin for e-mail domains.
BRANDS = [
    ("恒信", "hengxin"), ("华融", "huarong"), ("中诚", "zhongcheng"), ("长城", "changcheng"),
    ("东方", "dongfang"), ("华夏", "huaxia"), ("鼎盛", "dingsheng"), ("广源", "guangyuan"),
    ("泰康", "taikang"), ("安盛", "ansheng"), ("国泰", "guotai"), ("汇通", "huitong"),
    ("中鼎", "zhongding"), ("宏达", "hongda"), ("金桥", "jinqiao"), ("远航", "yuanhang"),
    ("天元", "tianyuan"), ("瑞丰", "ruifeng"), ("嘉禾", "jiahe"), ("联创", "lianchuang"),
    ("海纳", "haina"), ("华腾", "huateng"), ("中汇", "zhonghui"), ("宝华", "baohua"),
    ("永安", "yongan"), ("新华", "xinhua"), ("信达", "xinda"), ("盛世", "shengshi"),
    ("中科", "zhongke"), ("长江", "changjiang"), ("黄河", "huanghe"), ("南方", "nanfang"),
    ("北辰", "beichen"), ("四海", "sihai"), ("九州", "jiuzhou"), ("昆仑", "kunlun"),
    ("泰山", "taishan"), ("华安", "huaan"), ("平和", "pinghe"), ("中信达", "zhongxinda"),
    ("兴业通", "xingyetong"), ("万利", "wanli"), ("富通", "futong"), ("锦程", "jincheng"),
    ("鸿运", "hongyun"), ("通达", "tongda"), ("启明", "qiming"), ("星河", "xinghe"),
    ("华信", "huaxin"), ("中储", "zhongchu"), ("大地", "dadi"), ("天合", "tianhe"),
    ("正泰", "zhengtai"), ("华宇", "huayu"), ("中原", "zhongyuan"), ("西部", "xibu"),
    ("东海", "donghai"), ("南洋", "nanyang"), ("北方", "beifang"), ("中环", "zhonghuan"),
]  # fmt: skip

# Vertical HQ customers by industry: (kind words, HQ, provincial branch, city branch, district
# branch, e-mail domain word); {b} brand, {k} kind word, {P} province, {C} city, {D} district.
COMPANY_TEMPLATES = {
    "fin.bank": (
        [""],
        "{b}银行股份有限公司",
        "{b}银行{P}分行",
        "{b}银行{C}分行",
        "{b}银行{C}{D}支行",
        "bank",
    ),
    "fin.insurance": (
        ["人寿", "财产"],
        "{b}保险集团股份有限公司",
        "{b}{k}保险股份有限公司{P}分公司",
        "{b}{k}保险股份有限公司{C}中心支公司",
        "{b}{k}保险股份有限公司{C}{D}支公司",
        "insurance",
    ),
    "fin.securities": (
        [""],
        "{b}证券股份有限公司",
        "{b}证券{P}分公司",
        "{b}证券{C}分公司",
        "{b}证券{C}{D}证券营业部",
        "securities",
    ),
    "ent.manufacturing": (
        ["汽车", "重工", "电子", "钢铁", "化工", "电气", "医药", "家电", "机械", "纺织"],
        "{b}{k}集团有限公司",
        "{b}{k}{P}有限公司",
        "{b}{k}{C}分公司",
        "{b}{k}{C}{D}生产基地",
        "group",
    ),
    "ent.trade": (
        ["商贸", "百货", "物流", "连锁超市", "医药流通", "国际贸易"],
        "{b}{k}集团股份有限公司",
        "{b}{k}{P}有限公司",
        "{b}{k}{C}分公司",
        "{b}{k}{C}{D}门店",
        "group",
    ),
    "ent.energy": (
        ["能源", "电力", "石化", "燃气", "航运", "高速公路", "港口", "航空"],
        "{b}{k}集团有限公司",
        "{b}{k}{P}分公司",
        "{b}{k}{C}分公司",
        "{b}{k}{C}{D}营业所",
        "energy",
    ),
    "ent.carrier": (
        ["网络科技", "互联网", "数据科技", "云计算", "广电网络", "信息技术"],
        "{b}{k}股份有限公司",
        "{b}{k}{P}分公司",
        "{b}{k}{C}分公司",
        "{b}{k}{C}{D}服务中心",
        "tech",
    ),
}

# National public bodies organised top-down: (industry, HQ, province, city, district, domain).
GOV_SYSTEMS = [
    ("gov.public", "国家税务总局", "国家税务总局{P}税务局", "国家税务总局{Cf}税务局",
     "国家税务总局{Cf}{Df}税务局", "chinatax"),
    ("gov.justice", "最高人民法院", "{P}高级人民法院", "{Cf}中级人民法院",
     "{Cf}{Df}人民法院", "court"),
    ("gov.justice", "最高人民检察院", "{P}人民检察院", "{Cf}人民检察院", "{Cf}{Df}人民检察院",
     "procuratorate"),
    ("gov.justice", "公安部", "{P}公安厅", "{Cf}公安局", "{Cf}公安局{Df}分局", "police"),
    ("gov.party", "中华全国总工会", "{P}总工会", "{Cf}总工会", "{Cf}{Df}总工会", "acftu"),
    ("gov.party", "中国共产主义青年团中央委员会", "共青团{P}委员会", "共青团{Cf}委员会",
     "共青团{Cf}{Df}委员会", "youth"),
    ("gov.party", "中华全国妇女联合会", "{P}妇女联合会", "{Cf}妇女联合会",
     "{Cf}{Df}妇女联合会", "women"),
    ("gov.public", "中国气象局", "{P}气象局", "{Cf}气象局", "{Cf}{Df}气象局", "cma"),
    ("gov.public", "国家统计局", "国家统计局{P}调查总队", "国家统计局{Cf}调查队",
     "国家统计局{Df}调查队", "stats"),
    ("gov.public", "人力资源和社会保障部", "{P}人力资源和社会保障厅", "{Cf}人力资源和社会保障局",
     "{Cf}{Df}人力资源和社会保障局", "mohrss"),
    ("gov.public", "自然资源部", "{P}自然资源厅", "{Cf}自然资源和规划局",
     "{Cf}{Df}自然资源分局", "mnr"),
    ("gov.public", "海关总署", "{P}海关", "{C}海关", "{C}{Df}海关", "customs"),
]  # fmt: skip

# Public bodies of one province, HQ customers of that province with branches in its prefectures.
PROVINCIAL_BODIES = [
    ("gov.public", "{P}交通运输厅", "{Cf}交通运输局", "{Cf}{Df}交通运输局", "jtt"),
    ("gov.public", "{P}教育厅", "{Cf}教育局", "{Cf}{Df}教育局", "edu"),
    ("gov.public", "{P}卫生健康委员会", "{Cf}卫生健康委员会", "{Cf}{Df}卫生健康局", "wsjkw"),
    ("gov.justice", "{P}司法厅", "{Cf}司法局", "{Cf}{Df}司法局", "sft"),
    ("gov.party", "{P}人民政府办公厅", "{Cf}人民政府办公室", "{Cf}{Df}人民政府办公室", "gov"),
    ("gov.public", "{P}市场监督管理局", "{Cf}市场监督管理局", "{Cf}{Df}市场监督管理局", "amr"),
]  # fmt: skip

# The rest of the vertical industries: local groups that are not pilots, top-level customers of a
# prefecture (or province) unit — a bank branch registered on its own, a city's public body, a
# regional company. Per industry: (name, branch name, e-mail domain word); {b} brand, {k} kind word
# (`COMPANY_TEMPLATES`), {C}/{Cf} the city, {D}/{Df} a district of it.
LOCAL_GROUPS = {
    "gov.party": [
        ("{Cf}人民政府办公室", "{Cf}{Df}人民政府办公室", "gov"),
        ("中共{Cf}委员会办公室", "中共{Cf}{Df}委员会办公室", "dw"),
        ("{Cf}机关事务管理局", "{Cf}机关事务管理局{D}服务中心", "jgswj"),
    ],
    "gov.justice": [
        ("{Cf}公安局交通警察支队", "{Cf}公安局交通警察支队{D}大队", "jj"),
        ("{Cf}仲裁委员会", "{Cf}仲裁委员会{D}办事处", "arbitration"),
        ("{Cf}公证处", "{Cf}{Df}公证处", "notary"),
    ],
    "gov.public": [
        ("{Cf}住房公积金管理中心", "{Cf}住房公积金管理中心{D}管理部", "gjj"),
        ("{Cf}公共资源交易中心", "{Cf}公共资源交易中心{D}分中心", "ggzy"),
        ("{Cf}医疗保障局", "{Cf}{Df}医疗保障局", "ybj"),
        ("{Cf}人民医院", "{Cf}人民医院{D}院区", "hospital"),
    ],
    "fin.bank": [
        ("{b}银行{C}分行", "{b}银行{C}{D}支行", "bank"),
        ("{C}农村商业银行股份有限公司", "{C}农村商业银行{D}支行", "rcb"),
        ("{C}银行股份有限公司", "{C}银行{D}支行", "citybank"),
    ],
    "fin.insurance": [
        ("{b}{k}保险股份有限公司{C}中心支公司", "{b}{k}保险股份有限公司{C}{D}支公司", "insurance"),
        ("{C}{b}保险代理有限公司", "{C}{b}保险代理有限公司{D}营业部", "agency"),
    ],
    "fin.securities": [
        ("{b}证券{C}分公司", "{b}证券{C}{D}证券营业部", "securities"),
        ("{C}{b}期货有限公司", "{C}{b}期货有限公司{D}营业部", "futures"),
    ],
    "ent.manufacturing": [("{C}{b}{k}有限公司", "{C}{b}{k}有限公司{D}工厂", "mfg")],
    "ent.trade": [("{C}{b}{k}有限公司", "{C}{b}{k}有限公司{D}门店", "trade")],
    "ent.energy": [
        ("{C}燃气集团有限公司", "{C}燃气集团{D}供气所", "gas"),
        ("{C}水务集团有限公司", "{C}水务集团{D}营业所", "water"),
        ("{C}{b}{k}有限公司", "{C}{b}{k}有限公司{D}营业所", "energy"),
    ],
    "ent.carrier": [
        ("{C}{b}{k}有限公司", "{C}{b}{k}有限公司{D}服务中心", "tech"),
        ("{C}广电网络有限公司", "{C}广电网络有限公司{D}分公司", "catv"),
    ],
}  # fmt: skip
# How many such groups each vertical industry has per unit of scale (at least `LOCAL_GROUPS_MIN`).
LOCAL_GROUPS_PER_SCALE = (2, 4)
LOCAL_GROUPS_MIN = 2

# Pilot HQ customers by responsible organisation and segment (DOMAIN.md §4): 75 at scale 1.
PILOT_HQ = {
    "gov": {"group": 6, "110000": 1, "320000": 1},
    "fin": {"group": 16, "110000": 3, "310000": 11, "320000": 3},
    "ent": {"group": 16, "110000": 2, "310000": 6, "440000": 6, "320000": 4},
}

CONTACT_TITLES = {
    "gov": ["信息中心主任", "办公室主任", "科技处处长", "信息科科长", "网络管理员", "办公室副主任"],
    "fin": ["信息科技部总经理", "信息科技部经理", "运营管理部经理", "办公室主任", "网络运维主管",
            "采购部经理"],
    "ent": ["信息中心主任", "首席信息官", "IT部经理", "行政部经理", "采购经理", "网络管理员"],
    "sme": ["总经理", "法定代表人", "行政经理", "办公室主任", "财务经理", "店长"],
    "cluster": ["总经理", "店长", "负责人", "行政主管", "物业经理", "经理"],
}  # fmt: skip

# SME and clustered customers: 字号 characters, business words and shop kinds.
SME_BRAND_CHARS = (
    "华信达通恒瑞丰盛鑫源鼎泰宏安康嘉和美佳联创新远航天元金银宝富贵祥云海龙凤星辰光明"
    "正德仁义诚信东南西北中科技锦绣博雅汇聚合众力顺捷迅飞腾越峰岭江河湖川山林森木春秋"
    "晨阳景晟昊昌隆兴旺发展宇宙乾坤蓝绿青紫红橙万千百亿优品尚智慧思睿卓越精工匠心"
)
SME_BUSINESS = [
    "科技", "贸易", "电子科技", "信息技术", "网络科技", "餐饮管理", "物流", "建材", "装饰工程",
    "服装", "文化传媒", "医疗器械", "教育咨询", "物业管理", "机械设备", "食品", "汽车服务",
    "环保科技", "广告", "印刷", "家具", "五金", "电器", "化工", "塑胶制品", "包装材料",
    "供应链管理", "商务咨询", "人力资源", "会计服务", "建筑工程", "园林绿化", "酒店管理",
    "旅行社", "生物科技", "新能源科技", "智能科技", "软件", "实业", "投资管理",
]  # fmt: skip
SME_FORMS = ["有限公司"] * 8 + ["有限责任公司", "股份有限公司"]
PREMIUM_BUILDINGS = ["大厦", "中心", "广场", "国际中心", "金融中心", "商务中心"]
CLUSTER_SHOPS = [
    "便利店", "超市", "餐厅", "火锅店", "茶餐厅", "面馆", "药房", "诊所", "美容美发店",
    "五金店", "手机店", "烟酒商行", "服装店", "鞋店", "眼镜店", "花店", "水果店", "烘焙坊",
    "咖啡馆", "书店", "文具店", "建材商行", "汽车维修店", "洗衣店", "宠物店", "培训中心",
]  # fmt: skip
ROADS = [
    "中山路", "人民路", "解放路", "建设路", "和平路", "新华路", "胜利路", "长江路", "黄河路",
    "文化路", "工业大道", "科技路", "高新大道", "迎宾大道", "滨江路", "湖滨路", "东风路",
    "青年路", "朝阳路", "幸福路", "光明路", "团结路", "友谊路", "学府路", "金融街", "商业街",
    "北京路", "上海路", "南京路", "广州路", "世纪大道", "创业路", "育才路", "花园路", "公园路",
]  # fmt: skip
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "139.com", "189.cn"]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "193", "199",
]  # fmt: skip

# The product catalogue: (code, name, category). `is_ict` follows the category.
PRODUCTS = [
    ("FIX-PSTN", "普通固定电话", "fixed"),
    ("FIX-ISDN", "ISDN数字电话", "fixed"),
    ("FIX-CTX", "商务总机（集团虚拟网）", "fixed"),
    ("FIX-400", "400企业热线", "fixed"),
    ("BB-FTTH", "光纤宽带（企业版）", "broadband"),
    ("BB-GOV", "政企精品宽带", "broadband"),
    ("BB-WIFI", "商业WiFi", "broadband"),
    ("MOB-VPMN", "移动集团虚拟专网", "mobile"),
    ("MOB-PLAN", "政企移动套餐", "mobile"),
    ("MOB-SMS", "行业短信", "mobile"),
    ("MOB-5GPN", "5G行业专网", "mobile"),
    ("LL-DIA", "互联网专线", "leased_line"),
    ("LL-SDH", "数字电路专线", "leased_line"),
    ("LL-MPLS", "MPLS VPN专线", "leased_line"),
    ("LL-OTN", "OTN精品专线", "leased_line"),
    ("LL-SDWAN", "SD-WAN组网", "leased_line"),
    ("IDC-RACK", "IDC机柜租用", "idc"),
    ("IDC-HOST", "IDC主机托管", "idc"),
    ("IDC-BW", "IDC带宽", "idc"),
    ("CLD-ECS", "天翼云主机", "cloud"),
    ("CLD-STOR", "云存储", "cloud"),
    ("CLD-DESK", "云桌面", "cloud"),
    ("CLD-PRIV", "专属云", "cloud"),
    ("SI-NET", "网络系统集成", "system_integration"),
    ("SI-DC", "数据中心集成", "system_integration"),
    ("APP-OA", "移动办公（政企OA）", "industry_app"),
    ("APP-EDU", "智慧教育", "industry_app"),
    ("APP-MED", "智慧医疗", "industry_app"),
    ("APP-GOV", "数字政府应用", "industry_app"),
    ("VS-GLOBAL", "全球眼视频监控", "video_surveillance"),
    ("VS-SHOP", "商铺视频监控", "video_surveillance"),
    ("IOT-CONN", "物联网连接", "iot"),
    ("IOT-CAR", "车联网", "iot"),
    ("IOT-METER", "智能抄表", "iot"),
    ("OTH-SEC", "网络安全服务", "other"),
    # New ICT products, first billed part-way through the demo's 24 months (NEW_PRODUCTS).
    ("CLD-GPU", "智算云（GPU算力）", "cloud"),
    ("APP-AI", "AI大模型行业应用", "industry_app"),
    ("VS-AI", "AI视频分析", "video_surveillance"),
]

# ----------------------------------------------------------------------------------------------
# Billing (the monthly financial report of the demo's 24 months; see `gecrm.demo.billing`)

# New products: code → index (0..23) of the first demo month in which they may be billed.
NEW_PRODUCTS = {"CLD-GPU": 6, "APP-AI": 10, "VS-AI": 15}

# Seasonality by calendar month (January first): basic services dip a little at the Spring
# Festival; ICT projects dip more and peak at the year end, when budgets are spent.
SEASON_BASIC = (1.00, 0.93, 0.98, 1.00, 1.00, 0.99, 0.99, 1.00, 1.01, 1.00, 1.01, 1.04)
SEASON_ICT = (0.95, 0.78, 0.92, 0.98, 1.00, 1.05, 0.97, 0.98, 1.04, 1.00, 1.06, 1.38)

# Yearly growth of a group's existing services by industry ("" = SME customers without an
# industry; ICT take-up adds to it), and the share of a group's members that take ICT products.
# Securities and trade shrink.
INDUSTRY_GROWTH = {
    "gov.party": -0.02, "gov.justice": 0.0, "gov.public": 0.02, "fin.bank": -0.01,
    "fin.insurance": -0.02, "fin.securities": -0.10, "ent.manufacturing": 0.01,
    "ent.trade": -0.09, "ent.energy": 0.03, "ent.carrier": 0.05, "cluster.premium": 0.06,
    "cluster.standard": 0.0, "": 0.06,
}  # fmt: skip
INDUSTRY_ICT = {
    "gov.party": 0.30, "gov.justice": 0.35, "gov.public": 0.40, "fin.bank": 0.50,
    "fin.insurance": 0.40, "fin.securities": 0.45, "ent.manufacturing": 0.40,
    "ent.trade": 0.30, "ent.energy": 0.45, "ent.carrier": 0.60, "cluster.premium": 0.15,
    "cluster.standard": 0.05, "": 0.10,
}  # fmt: skip
# What a chief AM adds to a covered group's yearly growth and ICT take-up (the KPI story: covered
# groups beat their industry, except in one "laggard" industry picked by the seed).
COVERED_GROWTH_BONUS = 0.05
COVERED_ICT_BONUS = 0.25
LAGGARD_GROWTH_PENALTY = -0.07

# Customer kinds: (basic lines min, max; monthly amount of a basic line in CNY min, max;
# ICT lines max; an ICT line's amount relative to a basic one, min, max).
BILLING_KINDS = {
    "hq": (3, 5, 60_000, 400_000, 3, 0.6, 2.0),
    "branch_l": (2, 3, 15_000, 90_000, 2, 0.5, 1.5),
    "branch_m": (1, 3, 4_000, 25_000, 1, 0.5, 1.2),
    "branch_s": (1, 2, 800, 6_000, 1, 0.6, 1.5),
    "sme": (1, 2, 80, 1_200, 1, 0.8, 2.5),
    "cluster.premium": (1, 2, 200, 2_500, 1, 0.8, 2.0),
    "cluster.standard": (1, 1, 60, 400, 1, 0.5, 1.2),
}
# Product pools by segment (basic, ICT); lines draw distinct products from them.
BASIC_POOLS = {
    "gov": ("FIX-CTX", "BB-GOV", "MOB-VPMN", "LL-MPLS", "LL-DIA", "MOB-PLAN", "FIX-PSTN",
            "LL-OTN", "MOB-SMS"),
    "fin": ("LL-SDH", "LL-MPLS", "LL-OTN", "FIX-CTX", "MOB-VPMN", "FIX-400", "BB-GOV",
            "MOB-SMS", "LL-SDWAN"),
    "ent": ("LL-DIA", "MOB-VPMN", "FIX-CTX", "LL-SDWAN", "BB-GOV", "MOB-5GPN", "MOB-PLAN",
            "FIX-400", "OTH-SEC"),
    "sme": ("BB-FTTH", "MOB-PLAN", "FIX-PSTN", "FIX-400", "LL-DIA"),
    "cluster": ("BB-FTTH", "MOB-PLAN", "BB-WIFI", "FIX-PSTN"),
}  # fmt: skip
ICT_POOLS = {
    "gov": ("APP-GOV", "CLD-ECS", "VS-GLOBAL", "CLD-DESK", "SI-NET", "IDC-RACK", "APP-AI",
            "APP-EDU", "APP-MED", "VS-AI"),
    "fin": ("IDC-RACK", "IDC-HOST", "CLD-PRIV", "SI-DC", "CLD-STOR", "APP-OA", "CLD-GPU",
            "IDC-BW", "APP-AI"),
    "ent": ("IOT-CONN", "CLD-ECS", "SI-NET", "VS-GLOBAL", "IOT-METER", "IOT-CAR", "CLD-GPU",
            "APP-OA", "VS-AI"),
    "sme": ("CLD-ECS", "VS-SHOP", "APP-OA", "CLD-DESK", "CLD-STOR"),
    "cluster": ("VS-SHOP", "IOT-CONN", "VS-AI"),
}  # fmt: skip
# System integration is billed by project milestone: in a few months, in larger amounts.
PROJECT_PRODUCTS = {"SI-NET", "SI-DC"}

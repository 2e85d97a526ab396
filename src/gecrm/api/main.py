from ninja import NinjaAPI

api = NinjaAPI(title="gecrm API", version="1", urls_namespace="api")

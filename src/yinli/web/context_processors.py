from django.conf import settings


def yinli(request):
    from yinli.demo.services import is_demo_city

    return {"IS_DEMO": is_demo_city(), "HOME_REGION": settings.HOME_REGION}

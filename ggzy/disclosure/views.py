from django.shortcuts import render

from ggzy.core.permissions import PUBLIC, requires


@requires(PUBLIC)
def home_view(request):
    return render(request, "placeholder.html", {"title": "首页"})


@requires(PUBLIC)
def notice_list_view(request):
    return render(request, "placeholder.html", {"title": "交易公告"})

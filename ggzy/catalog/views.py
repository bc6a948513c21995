from django.shortcuts import render

from ggzy.core.permissions import PUBLIC, requires


@requires(PUBLIC)
def catalog_view(request):
    return render(request, "placeholder.html", {"title": "交易目录"})


@requires(PUBLIC)
def rules_view(request):
    return render(request, "placeholder.html", {"title": "制度规则"})


@requires(PUBLIC)
def processes_view(request):
    return render(request, "placeholder.html", {"title": "流程清单"})

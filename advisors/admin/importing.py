def import_view(request):
    raise NotImplementedError

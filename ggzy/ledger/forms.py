from django import forms


class TraceForm(forms.Form):
    object = forms.CharField(label="对象（类型:标识）", max_length=140,
                             help_text="例如 tendering.tender:42；类型与标识见审计记录或存证记录")

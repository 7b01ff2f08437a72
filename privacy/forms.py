from django import forms


class DeleteAccountForm(forms.Form):
    """Deleting one's account: type the address of the account, tick the consequences,
    and give the password when the account has one."""

    email = forms.EmailField(
        label="Adresse électronique de votre compte",
        help_text="Saisissez-la pour confirmer qu'il s'agit bien de votre compte.",
        error_messages={"required": "Saisissez l'adresse électronique de votre compte.",
                        "invalid": "Saisissez une adresse électronique valide."},
    )
    password = forms.CharField(
        label="Mot de passe", widget=forms.PasswordInput(render_value=False), strip=False,
        error_messages={"required": "Saisissez votre mot de passe."},
    )
    understood = forms.BooleanField(
        label="J'ai compris que la suppression est définitive : mes données personnelles "
              "seront effacées et je ne pourrai plus me connecter avec ce compte.",
        error_messages={"required": "Cochez la case pour confirmer la suppression."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Accounts opened through ProConnect have no password on the platform.
            del self.fields["password"]
        else:
            self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(
                "Cette adresse ne correspond pas à celle de votre compte.")
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password

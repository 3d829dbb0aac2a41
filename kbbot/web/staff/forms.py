"""The base of every staff form: its fields read the posted text fields, nothing else.

Flask-WTF also reads uploaded files and a JSON body into a form's fields, and a file
where a text field is expected breaks the field's validators. No staff form takes a
file: a request that uploads one is refused with 400, and a JSON body is not read.
"""

from flask import abort, request
from flask_wtf import FlaskForm


class StaffForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is None or wrapped is formdata:  # nothing posted, or the caller's own data
                return wrapped
            if request.files:
                abort(400, "This form takes no files: send its text fields only.")
            return request.form

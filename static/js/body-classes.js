// GOV.UK Frontend styles its components for JavaScript only once the body says it is supported.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');

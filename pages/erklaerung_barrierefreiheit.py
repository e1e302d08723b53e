from ui import a11y

a11y.statement()

//! `keikaku user add|list` and reading a new password.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use keikaku_app::access::Operator;
use keikaku_app::{Context, auth};
use keikaku_domain::account::{LoginId, Role, User};

use super::{Failure, now, open_store, refused, stored_municipality};

#[derive(Debug, Subcommand)]
/// The subcommands of `keikaku user`.
pub(super) enum UserCommand {
    /// 職員を登録します。パスワードは端末で2回入力するか、--password-stdin で標準入力から渡します / Add a staff user
    Add {
        /// ログインID（半角英小文字・数字・「.」「_」「-」の3〜32文字）
        login_id: String,
        /// 氏名
        #[arg(long)]
        name: String,
        /// 所属（課など）
        #[arg(long, default_value = "")]
        department: String,
        /// 管理者の役割を与えます
        #[arg(long)]
        admin: bool,
        /// 役割（繰り返し指定可）: planning_office（企画担当）、department_editor（所管課担当）、member（委員）
        #[arg(long = "role", value_parser = ["planning_office", "department_editor", "member"])]
        roles: Vec<String>,
        /// パスワードを標準入力の1行目から読みます
        #[arg(long)]
        password_stdin: bool,
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
    },
    /// 職員の一覧を表示します（ログインID、氏名、所属、役割、状態）/ List staff users
    List {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
    },
}

#[allow(clippy::print_stdout)] // the list is the command's output
pub(super) async fn user(
    operator: &Operator,
    database: &str,
    command: UserCommand,
) -> Result<(), Failure> {
    match command {
        UserCommand::Add {
            login_id,
            name,
            department,
            admin,
            roles,
            password_stdin,
            municipality,
        } => {
            let login_id = LoginId::parse(&login_id).map_err(|e| Failure::Invalid(e.0))?;
            let mut all: Vec<Role> = roles.iter().filter_map(|r| Role::from_code(r)).collect();
            if admin {
                all.push(Role::Administrator);
            }
            let store = open_store(database).await?;
            let code = stored_municipality(store.as_ref(), municipality.as_deref()).await?;
            let password = read_password(password_stdin)?;
            let user = User {
                login_id,
                display_name: name,
                department,
                roles: all,
                disabled: false,
            };
            let shown = format!("「{}」（{}）", user.login_id, user.display_name);
            auth::create_user(
                &Context::new(store.as_ref(), &code),
                operator,
                user,
                &password,
                now()?,
            )
            .await
            .map_err(|e| refused("職員を登録できません", e))?;
            println!("職員{shown}を登録しました。");
            Ok(())
        }
        UserCommand::List { municipality } => {
            let store = open_store(database).await?;
            let code = stored_municipality(store.as_ref(), municipality.as_deref()).await?;
            for u in auth::users(&Context::new(store.as_ref(), &code), operator).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.label()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.login_id,
                    u.display_name,
                    u.department,
                    roles.join("、"),
                    if u.disabled { "利用停止" } else { "有効" }
                );
            }
            Ok(())
        }
    }
}

/// A new password: the first line of standard input (`--password-stdin`), or typed twice on
/// the terminal without echo.
fn read_password(from_stdin: bool) -> Result<String, Failure> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Invalid(format!("標準入力からパスワードを読めません: {e}")))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Ok(line.to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Invalid(
            "パスワードを入力する端末がありません。標準入力から渡す場合は --password-stdin を指定してください（1行目をパスワードとして読みます）。".to_owned(),
        ));
    }
    let tty =
        |e: std::io::Error| Failure::Environment(format!("端末からパスワードを読めません: {e}"));
    let first = rpassword::prompt_password("パスワード: ").map_err(tty)?;
    let second = rpassword::prompt_password("パスワード（確認）: ").map_err(tty)?;
    if first != second {
        return Err(Failure::Invalid(
            "2回入力したパスワードが一致しません。何も登録していません。".to_owned(),
        ));
    }
    Ok(first)
}
